"""Writes the held-out matching set (issue #26), `set.yaml` beside this file, from the
hand-written phrase lists of `concepts.yaml`. Deterministic: the same lists give the same set.

    .venv/bin/python tests/data/matching_eval/generate.py

Per concept (one need and the technologies that answer it):
- three challenges from three counties of different cities, each with its own facts (the
  applicant, a town, the scale) and its own pick and order of the need's clauses; about two in
  five name the direction of the answer (`hint`, one offer keyword): the lexical ones;
- five or six offers (achievements, promotions) from different research units and leads, each
  with its own pick of the offer's clauses;
- one decoy: a different project in the need's own words (a hard negative for matching);
- the finance products that fund it (`concepts.yaml`, `finance`), two banks each.
Some entries (one in five) come without keywords, some without industry codes, as offices hand
them in. Then 48 entries are handed in a second time by another county, rewritten: the same
facts (applicant, lead, town, numbers) in new sentences, the applicant's name abbreviated,
another title. Same-concept siblings (same field, same phrase lists, different facts) are the
duplicates' hard negatives.

Split: by concept, test when the first byte of sha256(concept id) is even; the finance products
(which fund several concepts) are in the pool of both and judged with their challenges.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SEED = 26

# (city, [(county code, county, towns)])
CITIES: list[tuple[str, list[tuple[str, str, list[str]]]]] = [
    (
        "巴中市",
        [
            ("511902", "巴州区", ["清江镇", "曾口镇", "水宁寺镇"]),
            ("511921", "通江县", ["诺水河镇", "沙溪镇", "铁佛镇"]),
            ("511922", "南江县", ["长赤镇", "正直镇", "桃园镇"]),
            ("511923", "平昌县", ["驷马镇", "白衣镇", "江口镇"]),
        ],
    ),
    (
        "达州市",
        [
            ("511722", "宣汉县", ["南坝镇", "普光镇", "胡家镇"]),
            ("511724", "大竹县", ["庙坝镇", "石河镇", "月华镇"]),
            ("511725", "渠县", ["三汇镇", "有庆镇", "临巴镇"]),
            ("511781", "万源市", ["白沙镇", "罗文镇", "大竹镇"]),
        ],
    ),
    (
        "广元市",
        [
            ("510821", "旺苍县", ["嘉川镇", "木门镇", "五权镇"]),
            ("510822", "青川县", ["木鱼镇", "乔庄镇", "青溪镇"]),
            ("510823", "剑阁县", ["普安镇", "白龙镇", "开封镇"]),
            ("510824", "苍溪县", ["歧坪镇", "元坝镇", "陵江镇"]),
        ],
    ),
    (
        "南充市",
        [
            ("511321", "南部县", ["升钟镇", "定水镇", "大桥镇"]),
            ("511323", "蓬安县", ["锦屏镇", "相如镇", "河舒镇"]),
            ("511324", "仪陇县", ["马鞍镇", "金城镇", "新政镇"]),
            ("511381", "阆中市", ["保宁街道", "江南街道", "老观镇"]),
        ],
    ),
    (
        "绵阳市",
        [
            ("510722", "三台县", ["潼川镇", "芦溪镇", "西平镇"]),
            ("510727", "平武县", ["龙安镇", "南坝镇", "响岩镇"]),
            ("510781", "江油市", ["中坝街道", "武都镇", "青莲镇"]),
            ("510725", "梓潼县", ["文昌镇", "许州镇", "双板镇"]),
        ],
    ),
    (
        "宜宾市",
        [
            ("511504", "叙州区", ["柏溪街道", "观音镇", "高场镇"]),
            ("511524", "长宁县", ["竹海镇", "双河镇", "梅硐镇"]),
            ("511526", "珙县", ["巡场镇", "珙泉镇", "底洞镇"]),
            ("511525", "高县", ["庆符镇", "沙河镇", "罗场镇"]),
        ],
    ),
    (
        "攀枝花市",
        [
            ("510411", "仁和区", ["平地镇", "大田镇", "务本乡"]),
            ("510421", "米易县", ["攀莲镇", "丙谷镇", "撒莲镇"]),
            ("510422", "盐边县", ["桐子林镇", "红格镇", "渔门镇"]),
        ],
    ),
]

# Who hands a need in, by field: (full name pattern, abbreviated pattern). {c}: county.
NEED_ORGS = {
    "agri": [
        ("{c}农业农村局", "{c}农业局"),
        ("{c}{t}种植专业合作社", "{t}种植合作社"),
        ("{c}农业技术推广中心", "{c}农技站"),
    ],
    "live": [
        ("{c}畜牧兽医站", "{c}畜牧站"),
        ("{c}{t}养殖专业合作社", "{t}养殖合作社"),
        ("四川{b}牧业有限公司", "{b}牧业"),
    ],
    "food": [
        ("四川{b}食品有限公司", "{b}食品公司"),
        ("{c}经济和信息化局", "{c}经信局"),
        ("{c}{t}农产品加工合作社", "{t}加工合作社"),
    ],
    "ener": [
        ("国网{c}供电公司", "{c}供电公司"),
        ("{c}发展和改革局", "{c}发改局"),
        ("四川{b}能源有限公司", "{b}能源"),
    ],
    "mine": [
        ("四川{b}矿业有限责任公司", "{b}矿业"),
        ("{c}应急管理局", "{c}应急局"),
        ("{c}{t}煤矿", "{t}煤矿"),
    ],
    "envi": [
        ("{c}生态环境局", "{c}环保局"),
        ("{c}林业局", "{c}林业站"),
        ("{c}{t}人民政府", "{t}政府"),
    ],
    "mach": [
        ("四川{b}机械制造有限公司", "{b}机械"),
        ("{c}经济和信息化局", "{c}经信局"),
        ("{b}精密机械股份有限公司", "{b}精机"),
    ],
    "mate": [
        ("四川{b}化工股份有限公司", "{b}化工"),
        ("{c}{t}工业园区管委会", "{t}园区管委会"),
        ("四川{b}新材料有限公司", "{b}新材料"),
    ],
    "medi": [
        ("{c}卫生健康局", "{c}卫健局"),
        ("{c}人民医院", "{c}医院"),
        ("四川{b}药业有限公司", "{b}药业"),
    ],
    "info": [
        ("{c}交通运输局", "{c}交通局"),
        ("{c}水利局", "{c}水务局"),
        ("{c}行政审批局", "{c}审批局"),
        ("{c}{t}人民政府", "{t}政府"),
    ],
}
BRANDS = [
    "川润",
    "巴山",
    "蜀丰",
    "米仓",
    "嘉陵",
    "秦巴",
    "天府",
    "通达",
    "宏远",
    "锦华",
    "金桥",
    "德胜",
    "恒信",
    "瑞丰",
    "龙腾",
    "华蓥",
    "峨眉",
    "青城",
    "光雾",
    "诺水",
]
# Who offers a technology: (full, abbreviated) research units and companies.
UNITS = [
    ("四川农业大学", "川农大"),
    ("西南科技大学", "西南科大"),
    ("四川大学", "川大"),
    ("西南石油大学", "西南石大"),
    ("电子科技大学", "电子科大"),
    ("西南交通大学", "西南交大"),
    ("成都理工大学", "成理工"),
    ("西华大学", "西华大学"),
    ("四川轻化工大学", "川轻化"),
    ("西南医科大学", "西南医大"),
    ("成都中医药大学", "成中医"),
    ("四川师范大学", "川师大"),
    ("四川省农业科学院", "省农科院"),
    ("四川省林业科学研究院", "省林科院"),
    ("四川省畜牧科学研究院", "省畜科院"),
    ("中国科学院成都生物研究所", "中科院成都生物所"),
    ("中国科学院光电技术研究所", "中科院光电所"),
    ("四川省环境保护科学研究院", "省环科院"),
    ("中国五冶集团有限公司", "中国五冶"),
    ("四川省煤炭产业集团有限责任公司", "川煤集团"),
    ("四川长虹电器股份有限公司", "长虹"),
    ("东方电气集团", "东方电气"),
    ("四川省机械研究设计院", "省机械院"),
    ("中国测试技术研究院", "中国测试院"),
    ("四川省食品发酵工业研究设计院", "省食品发酵院"),
    ("四川省中医药科学院", "省中医药科学院"),
    ("四川省交通勘察设计研究院", "省交勘院"),
    ("中国水利水电第七工程局", "水电七局"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏飞斌宇浩凯鑫波俊峰晨辉建国志刚海燕春梅建华晓东文博"  # noqa: E501
BANKS = [
    ("四川农村商业联合银行", "四川农商联合银行"),
    ("中国农业银行四川省分行", "农行四川分行"),
    ("成都银行", "成都银行"),
    ("四川银行", "四川银行"),
    ("中国建设银行四川省分行", "建行四川分行"),
    ("四川省农业融资担保有限公司", "省农担公司"),
    ("四川发展融资租赁有限公司", "川发租赁"),
    ("四川省科技成果转化投资引导基金", "省成果转化基金"),
]

MODES = ["joint", "commissioned", "either", "none"]

# How a second office recasts a sentence: its own words for the same thing.
RECAST = [
    ("希望", "期望"),
    ("需要", "亟需"),
    ("目前", "当前"),
    ("导致", "造成"),
    ("严重", "突出"),
    ("每年", "年均"),
    ("农户", "群众"),
    ("现有", "已有"),
    ("很难", "难以"),
    ("经常", "时常"),
    ("只能", "只好"),
    ("没有", "缺乏"),
    ("提高", "提升"),
    ("减少", "降低"),
    ("采用", "运用"),
    ("实现", "做到"),
    ("技术", "手段"),
    ("显著", "明显"),
    ("通过", "借助"),
    ("可以", "能够"),
    ("主要", "大多"),
    ("大量", "大批"),
    ("解决", "破解"),
    ("问题", "难点"),
    ("已经", "已"),
]

NEED_OPENINGS = [
    "{county}{town}等{k}个乡镇共有{n}{unit}，{p}",
    "我们{county}现有{n}{unit}，主要分布在{town}一带。{p}",
    "{town}是{county}的重点区域，涉及{n}{unit}。{p}",
    "据{year}年统计，全县{n}{unit}中有相当部分受到影响。{p}",
    "{p}以{town}为例，{n}{unit}中约{k}成受此困扰。",
]
NEED_RECAST = [
    "涉及{town}等{k}个乡镇、{n}{unit}。{p}",
    "{p}该情况在{county}{town}尤其突出，当地{n}{unit}，{k}个乡镇均有反映。",
    "全县{n}{unit}（{year}年数据），{town}最为集中。{p}",
]
OFFER_OPENINGS = [
    "{unit}{lead}团队经{k}年攻关形成此项成果。{p}",
    "本成果由{unit}{lead}领衔完成，{p}",
    "{p}成果已在{town}等{n}个点位应用，第一完成人{lead}（{unit}）。",
    "{unit}自{year}年起开展研究，{p}",
]
PROMOTION_OPENINGS = [
    "{unit}联合本地企业在{town}等{n}处推广，{p}",
    "该技术自{year}年起在省内{n}个县推广应用，技术负责人{lead}。{p}",
]
OFFER_RECAST = [
    "{p}该成果依托{unit}，由{lead}牵头，历时{k}年完成，目前在{town}等{n}处使用。",
    "项目负责人{lead}，单位{unit}。{year}年以来，{p}",
]


def split_of(key: str) -> str:
    return "test" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "dev"


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def sentence(clauses: list[str], rng: random.Random) -> str:
    """Clauses joined as an office writes them: commas, now and then a full stop."""
    out = ""
    for i, clause in enumerate(clauses):
        out += clause
        last = i == len(clauses) - 1
        out += "。" if last or rng.random() < 0.35 else "，"
    return out


def recast(text: str, rng: random.Random, share: float = 0.8) -> str:
    """`text` in another office's words: each known word swapped with probability `share`."""
    for word, other in RECAST:
        if word in text and rng.random() < share:
            text = text.replace(word, other)
    return text


class Builder:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.rng = random.Random(SEED)
        self.fields = doc["fields"]
        self.concepts = doc["concepts"]
        self.finance = doc["finance"]
        self.entries: list[dict[str, Any]] = []
        self.counties = [(city, *c) for city, cs in CITIES for c in cs]

    def codes(self, field: str, side: str) -> list[str]:
        section, division = self.fields[field][side]
        roll = self.rng.random()
        if roll < 0.15:
            return []  # handed in without industry codes
        if roll < 0.3:
            return [section]
        return [section, division]

    def keywords(self, pool: list[str], extra: list[str] = ()) -> list[str]:  # type: ignore[assignment]
        if self.rng.random() < 0.2:
            return []  # handed in without keywords
        chosen = self.rng.sample(pool, self.rng.randint(2, min(4, len(pool))))
        return chosen + list(extra)

    def challenges(self, concept: dict[str, Any], split: str) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        cities = rng.sample(CITIES, 3)
        for i, (city, counties) in enumerate(cities):
            code, county, towns = rng.choice(counties)
            town = rng.choice(towns)
            full, short = rng.choice(NEED_ORGS[concept["field"]])
            brand = rng.choice(BRANDS)
            applicant = (
                full.format(c=county, t=town[:-1], b=brand),
                short.format(c=county, t=town[:-1], b=brand),
            )
            lexical = rng.random() < 0.4
            facts = {
                "county": county,
                "town": town,
                "n": rng.randint(12, 980),
                "k": rng.randint(2, 9),
                "year": rng.randint(2017, 2021),
                "unit": concept["unit"],
            }
            problems = rng.sample(concept["np"], rng.randint(2, 3))
            wish = rng.choice(concept["nw"])
            clauses = problems + ([concept["hint"][0]] if lexical else []) + [wish]
            clauses = [recast(c, rng, 0.3) for c in clauses]  # offices' words vary
            title = concept["nt"][i % len(concept["nt"])]
            if rng.random() < 0.25:
                title = county + title
            summary = rng.choice(NEED_OPENINGS).format(p=sentence(clauses, rng), **facts)
            extra = [rng.choice(concept["ok"])] if lexical else []
            out.append(
                {
                    "id": f"{concept['id']}-c{i + 1}",
                    "concept": concept["id"],
                    "split": split,
                    "category": "challenge",
                    "title": title,
                    "summary": summary,
                    "benefits": rng.choice(concept["nb"]) + "。",
                    "keywords": self.keywords(concept["nk"], extra),
                    "industry_codes": self.codes(concept["field"], "need"),
                    "district": code,
                    "region_code": code,
                    "city": city,
                    "applicant_name": applicant[0],
                    "applicant_short": applicant[1],
                    "lead_name": "",
                    "cooperation_mode": rng.choice(MODES),
                    "lexical": lexical,
                    "facts": facts,
                    "clauses": clauses,
                }
            )
        return out

    def offers(self, concept: dict[str, Any], split: str) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        titles = list(concept["ot"])
        for i in range(rng.choice((5, 5, 6))):
            city, counties = rng.choice(CITIES)
            code, county, towns = rng.choice(counties)
            unit = rng.choice(UNITS)
            lead = name(rng)
            category = "promotion" if rng.random() < 0.35 else "achievement"
            title = titles[i % len(titles)]
            if i >= len(titles):
                title = rng.choice(["新型", "高效", "低成本", "智能化", "集成式"]) + title
            if category == "promotion" and rng.random() < 0.5:
                title += rng.choice(["推广应用", "示范推广", "集成示范"])
            facts = {
                "unit": unit[0],
                "lead": lead,
                "town": rng.choice(towns),
                "n": rng.randint(3, 60),
                "k": rng.randint(2, 8),
                "year": rng.randint(2014, 2020),
            }
            clauses = [recast(c, rng, 0.3) for c in rng.sample(concept["oh"], 3)]
            openings = PROMOTION_OPENINGS if category == "promotion" else OFFER_OPENINGS
            summary = rng.choice(openings).format(p=sentence(clauses, rng), **facts)
            benefits = rng.choice(concept["ob"]) + f"，授权发明专利{rng.randint(1, 9)}项。"
            out.append(
                {
                    "id": f"{concept['id']}-o{i + 1}",
                    "concept": concept["id"],
                    "split": split,
                    "category": category,
                    "title": title,
                    "summary": summary,
                    "benefits": benefits,
                    "keywords": self.keywords(concept["ok"]),
                    "industry_codes": self.codes(concept["field"], "offer"),
                    "district": code,
                    "region_code": code,
                    "city": city,
                    "applicant_name": unit[0],
                    "applicant_short": unit[1],
                    "lead_name": lead,
                    "facts": facts,
                    "clauses": clauses,
                }
            )
        decoy = concept["decoy"]
        city, counties = rng.choice(CITIES)
        code, county, towns = rng.choice(counties)
        unit, lead = rng.choice(UNITS), name(rng)
        facts = {
            "unit": unit[0],
            "lead": lead,
            "town": rng.choice(towns),
            "n": rng.randint(3, 60),
            "k": rng.randint(2, 8),
            "year": rng.randint(2014, 2020),
        }
        out.append(
            {
                "id": f"{concept['id']}-x",
                "concept": concept["id"],
                "split": split,
                "category": "achievement",
                "decoy": True,
                "title": decoy["t"],
                "summary": rng.choice(OFFER_OPENINGS).format(p=sentence(decoy["h"], rng), **facts),
                "benefits": "已在省内多地应用。",
                "keywords": list(decoy["k"]),
                "industry_codes": list(self.fields[concept["field"]]["need"]),
                "district": code,
                "region_code": code,
                "city": city,
                "applicant_name": unit[0],
                "applicant_short": unit[1],
                "lead_name": lead,
                "facts": facts,
                "clauses": decoy["h"],
            }
        )
        return out

    def products(self) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        for n, product in enumerate(self.finance, start=1):
            for j, bank in enumerate(rng.sample(BANKS, 2)):
                city, counties = rng.choice(CITIES)
                code = rng.choice(counties)[0]
                clauses = list(product["summary"])
                rng.shuffle(clauses)
                if j == 0:
                    summary = f"{bank[0]}推出{product['title']}。" + sentence(clauses, rng)
                    summary += f"主要支持{product['need']}。"
                else:
                    summary = f"面向{product['need']}，" + sentence(clauses, rng)
                    summary += f"由{bank[0]}在{city}开办。"
                title = product["title"] if j == 0 else f"{bank[1]}·{product['title']}"
                out.append(
                    {
                        "id": f"fin-{n}-{j + 1}",
                        "concept": "finance",
                        "split": "both",
                        "category": "finance",
                        "title": title,
                        "summary": summary,
                        "benefits": product["benefits"] + "。",
                        "keywords": list(product["keywords"]) if rng.random() > 0.2 else [],
                        "industry_codes": ["J", "66"] if rng.random() > 0.15 else [],
                        "district": code,
                        "region_code": code,
                        "city": city,
                        "applicant_name": bank[0],
                        "applicant_short": bank[1],
                        "lead_name": "",
                        "funds": list(product["funds"]),
                    }
                )
        return out

    def rewrite(self, entry: dict[str, Any], concept: dict[str, Any]) -> dict[str, Any]:
        """The same project handed in by another county: its facts, new sentences."""
        rng = self.rng
        city = entry["city"]
        counties = next(cs for c, cs in CITIES if c == city)
        code = rng.choice([c for c in counties if c[0] != entry["district"]])[0]
        facts = entry["facts"]
        clauses = list(entry["clauses"])
        rng.shuffle(clauses)
        if entry["category"] == "challenge":
            pool = [c for c in concept["np"] if c not in clauses]
            if pool and rng.random() < 0.7:
                clauses[rng.randrange(len(clauses))] = rng.choice(pool)
            clauses = [recast(c, rng) for c in clauses]
            summary = rng.choice(NEED_RECAST).format(p=sentence(clauses, rng), **facts)
            titles = [t for t in concept["nt"] if t not in entry["title"]] or concept["nt"]
            benefits = recast(entry["benefits"], rng)
        else:
            pool = [c for c in concept["oh"] if c not in clauses]
            if pool and rng.random() < 0.7:
                clauses[rng.randrange(len(clauses))] = rng.choice(pool)
            clauses = [recast(c, rng) for c in clauses]
            summary = rng.choice(OFFER_RECAST).format(p=sentence(clauses, rng), **facts)
            titles = [t for t in concept["ot"] if t not in entry["title"]] or concept["ot"]
            benefits = recast(entry["benefits"], rng)
        copy = dict(entry)
        copy |= {
            "id": entry["id"] + "-r",
            "duplicate_of": entry["id"],
            "title": rng.choice(titles),
            "summary": summary,
            "benefits": benefits,
            "district": code,
            "applicant_name": entry["applicant_short"],
            "keywords": rng.sample(entry["keywords"], len(entry["keywords"])),
        }
        return copy

    def build(self) -> list[dict[str, Any]]:
        by_id = {c["id"]: c for c in self.concepts}
        originals: list[dict[str, Any]] = []
        for concept in self.concepts:
            split = split_of(concept["id"])
            originals += self.challenges(concept, split)
            originals += self.offers(concept, split)
        products = self.products()
        funded: dict[str, list[str]] = {}
        for product in products:
            for concept_id in product["funds"]:
                funded.setdefault(concept_id, []).append(product["id"])
        picked = self.rng.sample(
            [e for e in originals if not e.get("decoy")], 48
        )  # challenges and offers alike
        doubles = [self.rewrite(e, by_id[e["concept"]]) for e in picked]
        entries = originals + products + doubles
        for entry in entries:
            if entry["category"] == "challenge":
                entry["matches"] = sorted(
                    [
                        o["id"]
                        for o in originals + doubles
                        if o["concept"] == entry["concept"]
                        and o["category"] != "challenge"
                        and not o.get("decoy")
                    ]
                    + funded.get(entry["concept"], [])
                )
        return entries


def main() -> None:
    doc = yaml.safe_load((HERE / "concepts.yaml").read_text(encoding="utf-8"))
    entries = Builder(doc).build()
    keep = (
        "id",
        "concept",
        "split",
        "category",
        "title",
        "summary",
        "benefits",
        "keywords",
        "industry_codes",
        "district",
        "region_code",
        "applicant_name",
        "lead_name",
        "cooperation_mode",
        "matches",
        "duplicate_of",
        "funds",
        "decoy",
        "lexical",
    )
    written = [{k: e[k] for k in keep if k in e} for e in entries]
    header = "# Generated by generate.py from concepts.yaml: do not edit by hand.\n"
    body = yaml.safe_dump({"entries": written}, allow_unicode=True, sort_keys=False, width=100)
    (HERE / "set.yaml").write_text(header + body, encoding="utf-8")
    print(f"{len(written)} entries written to {HERE / 'set.yaml'}")


if __name__ == "__main__":
    main()
