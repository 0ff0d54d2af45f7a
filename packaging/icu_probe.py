"""Print what Qt asks of ICU (collation, case mapping, time-zone names, text boundaries, number and
date formats), to compare a Qt with ICU's whole data against one with the bundle's trimmed data.

    QT_QPA_PLATFORM=offscreen python packaging/icu_probe.py > whole.txt
    LD_LIBRARY_PATH=<folder holding the trimmed libicudata.so.NN> \\
        QT_QPA_PLATFORM=offscreen python packaging/icu_probe.py > trimmed.txt
    diff whole.txt trimmed.txt        # no output: the trimmed data answers Qt alike

libicuuc finds libicudata through RUNPATH, which LD_LIBRARY_PATH comes before.
"""

from __future__ import annotations

from PySide6.QtCore import QCollator, QDateTime, QLocale, QTextBoundaryFinder, QTimeZone
from PySide6.QtWidgets import QApplication, QLabel

WORDS = ["Zhang 张", "Éclair", "apple", "Ångström", "北京", "上海", "zebra", "Ärger", "étoile"]


def main() -> None:
    """Print one line per probe."""
    app = QApplication([])  # noqa: F841 - Qt's text classes want an application
    for loc in ("en_US", "zh_CN", "de_DE", "sv_SE", "tr_TR"):
        collator = QCollator(QLocale(loc))
        print(loc, sorted(WORDS, key=collator.sortKey))
    print(QLocale("tr_TR").toUpper("istanbul"), QLocale("de_DE").toUpper("straße"),
          QLocale("en").toLower("ΣΊΣΥΦΟΣ"))
    when = QDateTime.fromSecsSinceEpoch(1_700_000_000, QTimeZone.utc())
    print(QTimeZone(b"Europe/Berlin").displayName(when, QTimeZone.LongName, QLocale("en_US")))
    print(QTimeZone(b"Asia/Shanghai").displayName(QTimeZone.StandardTime, QTimeZone.LongName,
                                                  QLocale("zh_CN")))
    finder = QTextBoundaryFinder(QTextBoundaryFinder.Word, "我们在北京工作 ภาษาไทยง่าย")
    bounds = []
    pos = finder.toNextBoundary()
    while pos != -1:
        bounds.append(pos)
        pos = finder.toNextBoundary()
    print("word boundaries", bounds)
    print(QLocale("zh_CN").toString(1234567.891, "f", 2), QLocale("ar_EG").toString(12345),
          QLocale("en_US").toString(when, QLocale.LongFormat))
    label = QLabel("北京 上海 — Ångström")
    print("label width", label.sizeHint().width() > 0)


if __name__ == "__main__":
    main()
