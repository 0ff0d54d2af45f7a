"""Writes the importer's test files (run once; the outputs are committed next to this script).

python tests/data/import/make_fixtures.py
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

HERE = Path(__file__).parent

# Real names and Unified Social Credit Codes of PRC companies on the OFAC non-SDN Chinese
# Military-Industrial Complex list (US government, public domain), from
# ../identifier-test-vectors/ofac_uscc_lei_identifiers.csv; Chinese legal names added by us.
CMIC = [
    (
        "华为技术有限公司",
        "HUAWEI TECHNOLOGIES CO., LTD.",
        "914403001922038216",
        "广东省深圳市龙岗区坂田华为总部办公楼",
    ),
    (
        "杭州海康威视数字技术股份有限公司",
        "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
        "91330000733796106P",
        "浙江省杭州市滨江区阡陌路555号",
    ),
    (
        "浪潮集团有限公司",
        "INSPUR GROUP CO., LTD.",
        "913700001630477270",
        "山东省济南市高新区浪潮路1036号",
    ),
    (
        "中国电信集团有限公司",
        "CHINA TELECOMMUNICATIONS CORPORATION",
        "91110000100017707H",
        "北京市西城区金融大街31号",
    ),
    (
        "中国移动通信集团有限公司",
        "CHINA MOBILE COMMUNICATIONS GROUP CO., LTD.",
        "911100007109250324",
        "北京市西城区金融大街29号",
    ),
    (
        "中国联合网络通信集团有限公司",
        "CHINA UNITED NETWORK COMMUNICATIONS GROUP CO., LTD.",
        "91110000MA001HYK9X",
        "北京市西城区金融大街21号",
    ),
    (
        "中国电子科技集团有限公司",
        "CHINA ELECTRONICS TECHNOLOGY GROUP CORPORATION",
        "91110000710929498G",
        "北京市海淀区万寿路27号",
    ),
    (
        "中国电子信息产业集团有限公司",
        "CHINA ELECTRONICS CORPORATION",
        "91110000100010249W",
        "广东省深圳市南山区中电长城大厦",
    ),
    (
        "中国航天科技集团有限公司",
        "CHINA AEROSPACE SCIENCE AND TECHNOLOGY CORPORATION",
        "91110000100014071Q",
        "北京市海淀区阜成路16号",
    ),
    (
        "中国航天科工集团有限公司",
        "CHINA AEROSPACE SCIENCE AND INDUSTRY CORPORATION LIMITED",
        "91110000710925243K",
        "北京市海淀区阜成路8号",
    ),
    (
        "中国核工业集团有限公司",
        "CHINA NATIONAL NUCLEAR CORPORATION",
        "91110000100009563N",
        "北京市西城区三里河南四巷1号",
    ),
    (
        "中国兵器工业集团有限公司",
        "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED",
        "91110000710924910P",
        "北京市西城区三里河路46号",
    ),
    (
        "熊猫电子集团有限公司",
        "PANDA ELECTRONICS GROUP CO., LTD.",
        "913201921348831521",
        "江苏省南京市中山东路301号",
    ),
    (
        "中国卫星通信集团有限公司",
        "CHINA SATELLITE COMMUNICATIONS CO., LTD.",
        "91110000710929113P",
        "北京市海淀区知春路65号",
    ),
]

# Taiwanese AI-server and component makers (traditional Chinese legal names, public knowledge).
TAIWAN = [
    (
        "台灣積體電路製造股份有限公司",
        "Taiwan Semiconductor Manufacturing Company Limited",
        "新竹科學園區力行六路8號",
    ),
    ("鴻海精密工業股份有限公司", "Hon Hai Precision Industry Co., Ltd.", "新北市土城區自由街2號"),
    ("廣達電腦股份有限公司", "Quanta Computer Inc.", "桃園市龜山區文化二路211號"),
    ("緯創資通股份有限公司", "Wistron Corporation", "台北市汐止區新台五路一段88號"),
    ("英業達股份有限公司", "Inventec Corporation", "台北市士林區後港街66號"),
    ("技嘉科技股份有限公司", "Giga-Byte Technology Co., Ltd.", "新北市新店區寶強路6號"),
    ("華碩電腦股份有限公司", "ASUSTeK Computer Inc.", "台北市北投區立德路15號"),
    ("微星科技股份有限公司", "Micro-Star International Co., Ltd.", "新北市中和區立德街69號"),
    ("宏碁股份有限公司", "Acer Incorporated", "新北市汐止區新台五路一段88號8樓"),
    ("仁寶電腦工業股份有限公司", "Compal Electronics, Inc.", "台北市內湖區瑞光路581號"),
]


def _csv(
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    lineterminator: str = "\r\n",
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
    writer.writerows(rows)
    return out.getvalue()


def parties_gb18030() -> None:
    rows = [["名称 name", "kind", "country", "aliases", "identifiers", "address", "program"]]
    # Header "名称 name" is not a preset column: the test maps it with a custom mapping file.
    rows[0][0] = "name"
    for zh, en, uscc, addr in CMIC:
        rows.append([zh, "company", "CN", en, f"CN_USCC:{uscc}", addr, "CMIC-EO13959"])
    (HERE / "parties_cmic_gb18030.csv").write_bytes(_csv(rows).encode("gb18030"))


def parties_big5() -> None:
    rows = [["name", "kind", "country", "aliases", "address", "notes"]]
    for zh, en, addr in TAIWAN:
        rows.append([zh, "company", "Taiwan", en, addr, "AI server supply chain"])
    # Code page 950, the Big5 Windows writes: 碁 (in 宏碁, Acer) is one of its ETEN extensions.
    (HERE / "parties_taiwan_big5.csv").write_bytes(_csv(rows).encode("cp950"))


def ownership() -> None:
    # Fictional holding structure, shaped like the ones investigators meet (the same owner on
    # many rows, percentages written with % and decimal commas, partial dates).
    rows = [
        [
            "Owner",
            "Owned",
            "Share",
            "Owner Country",
            "Owned Country",
            "Start Date",
            "End Date",
            "Source",
        ],
        [
            "Aurora Compute Holdings Ltd",
            "Aurora Compute (HK) Limited",
            "100%",
            "KY",
            "HK",
            "2021-03",
            "",
            "HK CR extract",
        ],
        [
            "Aurora Compute (HK) Limited",
            "Aurora Compute Singapore Pte. Ltd.",
            "100",
            "HK",
            "SG",
            "2021-06-15",
            "",
            "ACRA BizFile",
        ],
        [
            "Aurora Compute (HK) Limited",
            "Aurora Cloud Malaysia Sdn. Bhd.",
            "70",
            "Hong Kong",
            "MY",
            "2022",
            "",
            "SSM extract",
        ],
        [
            "Tan Wei Ming",
            "Aurora Compute Holdings Ltd",
            "62,5",
            "SG",
            "Cayman Islands",
            "2020",
            "",
            "annual return",
        ],
        [
            "Shenzhen Lingxi Capital Co., Ltd.",
            "Aurora Compute Holdings Ltd",
            "37.5",
            "China",
            "KY",
            "2020",
            "2023-12",
            "annual return",
        ],
        [
            "Aurora Compute Holdings Ltd",
            "Aurora Cloud Malaysia Sdn. Bhd.",
            "30",
            "KY",
            "MY",
            "~2022",
            "",
            "SSM extract",
        ],
        [
            "Shenzhen Lingxi Capital Co., Ltd.",
            "Aurora Compute Holdings Ltd",
            "37.5",
            "CN",
            "KY",
            "2020",
            "2023-12",
            "duplicate row in the source",
        ],
        [
            "Aurora Compute Holdings Ltd",
            "Aurora Compute Holdings Ltd",
            "5",
            "KY",
            "KY",
            "2020",
            "",
            "self-holding (treasury shares)",
        ],
        [
            "Aurora Compute Singapore Pte. Ltd.",
            "Blue Lotus GPU Cloud Pte. Ltd.",
            "150",
            "SG",
            "SG",
            "2023",
            "",
            "typo in source",
        ],
    ]
    (HERE / "ownership_aurora.csv").write_text(_csv(rows), encoding="utf-8")


def servers() -> None:
    rows = [
        [
            "Label",
            "Accelerator",
            "Accelerators per server",
            "Server count",
            "Vendor model",
            "Data center",
            "City",
            "Country",
            "Owner",
            "Operator",
            "End user",
            "End user country",
            "Installed",
            "In service",
            "Asset tag prefix",
        ],
        [
            "Brisbane H100 cluster",
            "H100 SXM",
            "8",
            "300",
            "Supermicro SYS-821GE-TNHR",
            "Brisbane DC1",
            "Brisbane",
            "AU",
            "Aurora Compute Holdings Ltd",
            "Aurora Compute Singapore Pte. Ltd.",
            "Shenzhen Lingxi Capital Co., Ltd.",
            "CN",
            "2024-03",
            "2024-04",
            "BNE-H",
        ],
        [
            "",
            "H100 SXM",
            "8",
            "1,200",
            "Dell PowerEdge XE9680",
            "Johor Bahru AI Park",
            "Johor Bahru",
            "Malaysia",
            "Aurora Cloud Malaysia Sdn. Bhd.",
            "Aurora Cloud Malaysia Sdn. Bhd.",
            "Shenzhen Lingxi Capital Co., Ltd.",
            "China",
            "2024-06-01",
            "2024-06-20",
            "JHB-H",
        ],
        [
            "Kuala Lumpur A100 pod",
            "A100 SXM4 80GB",
            "8",
            "64",
            "HPE Apollo 6500",
            "",
            "Kuala Lumpur",
            "MY",
            "Aurora Cloud Malaysia Sdn. Bhd.",
            "",
            "",
            "",
            "2023",
            "",
            "KUL-A",
        ],
        [
            "California B200 order",
            "B200",
            "8",
            "about 50",
            "Supermicro SYS-A22GA-NBRT",
            "Santa Clara SC-7",
            "Santa Clara",
            "US",
            "Aurora Compute Holdings Ltd",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "Brisbane H100 expansion",
            "H100 SXM",
            "8",
            "100",
            "Supermicro SYS-821GE-TNHR",
            "Brisbane DC1",
            "Brisbane",
            "AU",
            "Aurora Compute Holdings Ltd",
            "Aurora Compute Singapore Pte. Ltd.",
            "",
            "",
            "2024-13",
            "",
            "BNE-X",
        ],
    ]
    (HERE / "servers_inventory.csv").write_text(_csv(rows), encoding="utf-8")


def _addr(seed: str) -> str:
    return "0x" + hashlib.sha256(seed.encode()).hexdigest()[:40]


def transactions() -> None:
    header = [
        "Txhash",
        "Blockno",
        "UnixTimestamp",
        "DateTime (UTC)",
        "From",
        "To",
        "ContractAddress",
        "Value_IN(ETH)",
        "Value_OUT(ETH)",
        "CurrentValue @ $3456.78/Eth",
        "TxnFee(ETH)",
        "TxnFee(USD)",
        "Historical $Price/Eth",
        "Status",
        "ErrCode",
        "Method",
    ]
    me = "0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107"  # real address, from the OFAC SDN list
    rows = [header]
    counterparties = [_addr(f"cp{i}") for i in range(5)]
    for i in range(12):
        cp = counterparties[i % 5]
        incoming = i % 3 == 0
        ts = 1714521600 + i * 86400 + 3600 * (i % 7)
        import datetime as dt

        when = dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        value = f"{(i + 1) * 1.25:.2f}"
        rows.append(
            [
                "0x" + hashlib.sha256(f"tx{i}".encode()).hexdigest(),
                str(19700000 + i * 7000),
                str(ts),
                when,
                cp if incoming else me,
                me if incoming else cp,
                "",
                value if incoming else "0",
                "0" if incoming else value,
                "",
                "0.00042",
                "1.45",
                "3012.5",
                "Error(0)" if i == 7 else "",
                "out of gas" if i == 7 else "",
                "Transfer",
            ]
        )
    # contract creation: no To, the new contract in ContractAddress
    rows.append(
        [
            "0x" + hashlib.sha256(b"create").hexdigest(),
            "19800000",
            "1717200000",
            "2024-06-01 00:00:00",
            me,
            "",
            _addr("contract"),
            "0",
            "0",
            "",
            "0.0123",
            "40.1",
            "3012.5",
            "",
            "",
            "Create",
        ]
    )
    # a malformed address (too short) and a bad timestamp
    rows.append(
        [
            "0xdead",
            "19800001",
            "1717200001",
            "2024-06-01 00:00:01",
            "0x1234",
            me,
            "",
            "1",
            "0",
            "",
            "0",
            "0",
            "3012.5",
            "",
            "",
            "Transfer",
        ]
    )
    (HERE / "transactions_etherscan.csv").write_text(
        _csv(rows, quoting=csv.QUOTE_ALL, lineterminator="\n"), encoding="utf-8"
    )


if __name__ == "__main__":
    parties_gb18030()
    parties_big5()
    ownership()
    servers()
    transactions()
