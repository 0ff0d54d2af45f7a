# `make run` and `make test` each set everything up on a fresh machine (venv, packages, system libs).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := $(VENV)/.apt-installed
# Qt's xcb plugin, Xvfb for screenshots, poppler for PDF checks, the CJK font we ship a copy of;
# libicu-dev, pkg-config and g++ to build PyICU (followthemoney, a test extra, has no wheel for it);
# binutils (strip, readelf, nm) and icu-devtools (icupkg: trims ICU's data) for `make package`,
# desktop-file-utils and appstream to validate its metadata.
APT_PACKAGES := libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libxkbcommon-x11-0 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
	libxcb-randr0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1 xvfb xauth poppler-utils \
	libicu-dev pkg-config g++ binutils icu-devtools desktop-file-utils appstream

.PHONY: run test setup bench clean screenshots manual package wheel validate-metadata catalog

$(STAMP): pyproject.toml | $(APT_STAMP)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,package]'
	touch $(STAMP)

$(APT_STAMP): Makefile
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get update -qq >/dev/null 2>&1 || true; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null 2>&1 \
			|| echo "warning: apt-get could not install $(APT_PACKAGES)"; \
	fi
	mkdir -p $(VENV) && touch $(APT_STAMP)

setup: $(STAMP) $(APT_STAMP)

run: setup
	$(BIN)/casedesk gui

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# Regenerate resources/vocab/accelerators.yaml from Epoch AI's CSV and the overlay
# (resources/analysis/sources/); a test fails while the shipped file differs from the build.
catalog: setup
	$(BIN)/python -m casedesk.services.analysis.catalog_build

bench: setup
	for b in benchmarks/bench_*.py; do QT_QPA_PLATFORM=offscreen $(BIN)/python $$b || exit 1; done

# Screenshots of the main window on the demo case, in a real X window under Xvfb.
screenshots: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb $(BIN)/python docs/screenshots/take_screenshots.py docs/screenshots

manual:  # refresh the manual's copies of the docs (what a frozen build shows on F1)
	cp docs/importing.md docs/screening.md docs/analysis.md docs/interop.md docs/team.md resources/manual/

# The one-folder bundle dist/CaseDesk/ (its program dist/CaseDesk/casedesk: the CLI and the window).
package: setup validate-metadata
	$(BIN)/python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/casedesk.spec
	@du -sh dist/CaseDesk

# The sdist and the wheel in dist/ (`pipx install dist/casedesk-*.whl`).
wheel: setup
	$(BIN)/python -m build --no-isolation --outdir dist .

# (Installed by the apt step when run as root; otherwise install desktop-file-utils and appstream.)
validate-metadata: setup
	@command -v desktop-file-validate >/dev/null && command -v appstreamcli >/dev/null \
		|| { echo "desktop-file-validate or appstreamcli missing: apt-get install desktop-file-utils appstream"; exit 1; }
	desktop-file-validate packaging/linux/org.casedesk.CaseDesk.desktop
	appstreamcli validate --no-net packaging/linux/org.casedesk.CaseDesk.metainfo.xml

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info desktop/*.egg-info
