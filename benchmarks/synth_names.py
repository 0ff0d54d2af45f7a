"""Synthetic screening-list names for benchmarks and the evaluation's distractors (no real list data).

A deterministic mix shaped like the PRC-heavy lists investigators load: Chinese companies and
persons in Han script, Chinese companies in pinyin/English, Latin-script companies and persons,
Russian persons in Latin script. Generated from small vocabularies, so names repeat their parts
as real lists do, but almost every full name is distinct.
"""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MORE = "".join(chr(c) for c in range(0x4E00, 0x9FA5, 97))  # ~215 more characters
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰梅海波鹏辉宁"
         "晨旭阳瑞雪婷宇浩凯博文斌飞俊帆鑫琳雯欣怡佳璐晓东晨光荣天祥春生和清源德成安康永福"
         "家兴振宏泽睿诚信嘉铭哲远峰岩松柏林森晶磊坤鸿钧锦涵芝蓉萍莉倩颖慧蕾薇菲彤琪瑶琴")
CITIES = ["北京", "上海", "深圳", "广州", "天津", "杭州", "南京", "武汉", "成都", "西安", "苏州",
          "合肥", "青岛", "大连", "长沙", "郑州", "厦门", "珠海", "东莞", "宁波", "无锡", "重庆"]
CORE = "华中兴新天宏盛泰恒达信通安康海星光明科创智联云飞腾龙凤鑫源宇航博远汇丰德利隆昌晨阳金鼎瑞祥"
INDUSTRY = ["科技", "技术", "电子", "信息技术", "网络科技", "智能科技", "投资", "控股", "贸易",
            "进出口", "实业", "半导体", "集成电路", "计算机", "数据", "通信", "物流", "能源"]
CN_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司", ""]
PINYIN_CORE = ["Huaxin", "Zhongtian", "Hengda", "Xinghai", "Tianhong", "Kangtai", "Ruixiang",
               "Jinding", "Longfei", "Yuanhang", "Boyuan", "Huifeng", "Deli", "Longchang", "Chenyang",
               "Shengtai", "Hongxin", "Anxin", "Tongda", "Mingguang", "Kechuang", "Zhilian", "Yunfei"]
EN_INDUSTRY = ["Technology", "Electronics", "Information Technology", "Network Technology",
               "Intelligent Technology", "Investment", "Holding", "Trading", "Import and Export",
               "Industrial", "Semiconductor", "Computing", "Data", "Communications", "Logistics"]
EN_FORMS = ["Co., Ltd.", "Limited", "Corporation", "Group Co., Ltd.", "LLC", "Pte. Ltd.", "GmbH",
            "S.A.", "JSC", "Inc.", ""]
WORDS = ("alpha apex arctic atlas aurora axis baltic beacon blue bright cedar central coastal "
         "condor crest crown delta diamond eagle east eastern echo emerald falcon first fortune "
         "frontier galaxy gateway global gold golden granite green harbor horizon imperial iron "
         "jade keystone legacy liberty lion lotus maple meridian metro midland monarch nexus noble "
         "north northern nova oak ocean omega orient pacific peak phoenix pioneer polar premier "
         "prime pyramid quantum radiant rapid raven red river royal sapphire sierra silver sky "
         "solar south southern spark star sterling stone summit sun swift titan trans trident "
         "union united valley vanguard vector vertex victory vista west western zenith").split()
FIRST = ("james john robert michael william david richard joseph thomas charles daniel matthew "
         "anthony mark paul steven andrew kenneth joshua kevin brian george edward ronald timothy "
         "jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon "
         "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa "
         "betty margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa "
         "ahmed ali hassan omar yusuf khalid ibrahim mustafa tariq karim hamza bilal rashid samir "
         "sergey dmitry alexei nikolai vladimir igor oleg andrei mikhail pavel yuri boris viktor").split()
LAST = ("smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
        "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris "
        "sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen "
        "hill flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez "
        "phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy "
        "cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox "
        "ivanov petrov sidorov smirnov kuznetsov popov volkov sokolov lebedev kozlov novikov morozov "
        "haddad khoury nasser saleh mansour darwish hamdan qasim rahman aziz karimi hosseini").split()


SYLLABLES = ("ka ra to mi ne lo sa vi den bor gal mar tin rus kov lev nor sel tam ber gor "
             "dal fen har jor kel lin mon nes pol ron sar tel val wen zor ak el in ost ur ag "
             "an ber chen dor es fal gen hol ist jan kar lor mun ner or pet qu ros sten tor").split()


def pseudo_word(rng: random.Random, parts: tuple[int, int] = (2, 3)) -> str:
    """A pronounceable made-up word (surnames, brand cores): keeps a big list diverse."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*parts))).title()


def chinese_person(rng: random.Random) -> str:
    """A Han-script personal name (surname + one or two given characters)."""
    pool = GIVEN + GIVEN_MORE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.8 else "")
    return rng.choice(SURNAMES) + given


def chinese_company(rng: random.Random) -> str:
    """A Han-script company name: city, brand core, industry, legal form."""
    pool = CORE + GIVEN
    core = rng.choice(pool) + rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.5 else "")
    return rng.choice(CITIES) + core + rng.choice(INDUSTRY) + rng.choice(CN_FORMS)


def pinyin_company(rng: random.Random) -> str:
    """A Chinese company written in pinyin and English."""
    city = rng.choice(["Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Wuhan", ""])
    core = rng.choice(PINYIN_CORE) + rng.choice(["", "tong", "da", "xin", "yuan", "hai", "feng",
                                                  "long", "sheng", "tai", "hua", "rui"])
    return " ".join(p for p in (city, core, rng.choice(EN_INDUSTRY), rng.choice(EN_FORMS)) if p)


def latin_company(rng: random.Random) -> str:
    """A Latin-script company name: a made-up brand, a vocabulary word, an industry, a form."""
    words = [pseudo_word(rng), rng.choice(WORDS).title()]
    rng.shuffle(words)
    return " ".join(p for p in (*words, rng.choice(EN_INDUSTRY), rng.choice(EN_FORMS)) if p)


def latin_person(rng: random.Random) -> str:
    """A Latin-script personal name, sometimes with a middle name or in 'LAST, First' order."""
    first = rng.choice(FIRST).title()
    last = rng.choice(LAST).title() if rng.random() < 0.2 else pseudo_word(rng) + rng.choice(
        ["", "", "ov", "ova", "son", "er", "i", "ez", "ski"])
    middle = rng.choice(FIRST).title() if rng.random() < 0.4 else ""
    if rng.random() < 0.3:
        return f"{last.upper()}, {first}" + (f" {middle}" if middle else "")
    return " ".join(p for p in (first, middle, last) if p)


def synthetic_names(count: int, seed: int = 20261125) -> list[str]:
    """`count` names: 25% Han companies, 15% Han persons, 10% pinyin companies, 25% Latin
    companies, 25% Latin persons."""
    rng = random.Random(seed)
    makers = ([chinese_company] * 5 + [chinese_person] * 3 + [pinyin_company] * 2
              + [latin_company] * 5 + [latin_person] * 5)
    return [rng.choice(makers)(rng) for _ in range(count)]
