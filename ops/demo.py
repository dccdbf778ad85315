"""`kechuang demo`: a realistic call's worth of entries loaded into a running stack through the
front door, so a newcomer sees every state an entry can be in.

Every district of the call gets entries of all four categories with small generated materials
(a real H.264 video, a PDF introduction, a PNG proof). Some are complete and reviewed, selected
or left for review; some miss their video, break a rule of the notice, stay drafts or are
withdrawn. The districts get different numbers of entries, so the roll-up is not uniform.
Re-running is harmless: each entry is created with an Idempotency-Key and only moved on when
it is still a fresh draft.
"""

from __future__ import annotations

import subprocess
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ops.client import Client, expect
from shared import regions

# Part of every entry's Idempotency-Key: bump it when the scenarios change, so that a stack
# loaded by an earlier version gets the new entries instead of conflicting keys.
VERSION = 5  # 5: the lead, places as codes, industries, keywords; a returned entry

# What happens to an entry, and the state reporting then shows.
SELECTED, IN_REVIEW, ELIGIBLE, INCOMPLETE = "selected", "in_review", "eligible", "incomplete"
INELIGIBLE, DRAFT, WITHDRAWN, RETURNED = "ineligible", "draft", "withdrawn", "returned"


@dataclass(frozen=True)
class Scenario:
    category: str
    outcome: str
    title: str
    summary: str
    benefits: str
    extra: dict[str, Any]


SCENARIOS = (
    Scenario(
        "achievement",
        SELECTED,
        "高效低成本钙钛矿太阳能电池产业化",
        "突破大面积钙钛矿薄膜均匀制备工艺，组件效率达 21%。",
        "年产 100 MW 组件，年节约标准煤约 3 万吨。",
        {"tech_level": "international_advanced", "deployment": "pilot_completed"},
    ),
    Scenario(
        "promotion",
        IN_REVIEW,
        "秦巴山区智慧农业物联网监测系统推广",
        "土壤墒情、气象与病虫害一体化监测，已在 3 个县中试。",
        "推广后可覆盖 20 万亩耕地，减少农药用量 15%。",
        {
            "tech_level": "domestic_leading",
            "deployment": "early_industrialization",
            "awards": [
                {"name": "四川省科技进步奖", "level": "provincial_ministerial", "year": 2020}
            ],
            "plan_project": "provincial",
        },
    ),
    Scenario(
        "challenge",
        ELIGIBLE,
        "青花椒机械化采摘关键技术难题",
        "青花椒枝条带刺、果穗密集，现有机械采摘损伤率高于 30%。",
        "解决后每亩节省人工 8 个，带动 5 万户椒农增收。",
        {},
    ),
    Scenario(
        "finance",
        INCOMPLETE,
        "科技型中小企业知识产权质押贷款",
        "以专利、商标等知识产权质押，单户授信最高 1000 万元。",
        "预计一年内服务科技型企业 200 家，新增贷款 5 亿元。",
        {},
    ),
    Scenario(
        "achievement",
        INELIGIBLE,
        "川东北天然气净化尾气资源化利用技术",
        "将脱硫尾气转化为工业级硫磺与硫酸铵。",
        "单套装置年处理尾气 2 亿立方米。",
        {
            "tech_level": "domestic_leading",
            "deployment": "pilot_completed",
            # Breaks 二(一)6⑤: an entry touching state secrets is out.
            "declarations": {"lawful": True, "state_secret": True, "statutory_review": "approved"},
        },
    ),
    Scenario(
        "challenge",
        DRAFT,
        "富硒茶叶低温萃取工艺难题",
        "低温萃取得率不足 40%，风味物质损失大。",
        "",
        {},
    ),
    Scenario(
        "challenge",
        RETURNED,
        "山区小水电站智能运维难题",
        "老旧电站缺少在线监测，故障靠人工巡检发现。",
        "解决后全县 40 座电站年增发电量约 5%。",
        {},
    ),
    Scenario(
        "finance",
        WITHDRAWN,
        "科技成果转化综合保险",
        "覆盖研发失败、中试损失与产品责任的组合保险。",
        "为 50 项成果转化提供风险保障 2 亿元。",
        {},
    ),
    Scenario(
        "promotion",
        ELIGIBLE,
        "装配式建筑绿色建材推广应用",
        "秸秆纤维增强墙板，已在 12 个项目应用。",
        "每万平方米建筑减少建筑垃圾 300 吨。",
        {"tech_level": "domestic_leading", "deployment": "early_industrialization"},
    ),
)

KIND_NAMES = {
    "promo_video": "推介视频.mp4",
    "introduction": "项目介绍.pdf",
    "proof": "佐证材料.png",
}
CONTENT_TYPES = {"promo_video": "video/mp4", "introduction": "application/pdf",
                 "proof": "image/png"}  # fmt: skip
NEEDED = {"achievement": ("promo_video", "introduction", "proof"),
          "promotion": ("promo_video", "introduction", "proof"),
          "challenge": ("promo_video", "introduction"),
          "finance": ("promo_video", "introduction")}  # fmt: skip


def body(scenario: Scenario, district: str, call_id: str) -> dict[str, Any]:
    """The entry's receipt form (回执): complete unless the scenario is a draft."""
    fields: dict[str, Any] = {
        "call_id": call_id,
        "category": scenario.category,
        "title": f"{scenario.title}（{district}）",
        "summary": scenario.summary,
    }
    if scenario.outcome == DRAFT:
        return fields
    finance = scenario.category == "finance"
    fields |= {
        "benefits": scenario.benefits,
        "applicant": {"name": f"巴中{district[:2]}{'农商银行' if finance else '科技有限公司'}",
                      "type": "financial_institution" if finance else "enterprise",
                      "region_code": regions.code_of_district(district),
                      "province": "四川省", "city": "巴中市", "district": district},
        "contact": {"name": "李明", "phone": "0827-5223387", "email": "kechuang@example.cn"},
        "platform_listing_id": f"TFY-2026-{zlib.crc32(fields['title'].encode()) % 10000:04d}",
        "declarations": {"lawful": True, "state_secret": False, "statutory_review": "approved"},
    }  # fmt: skip
    if scenario.category in ("achievement", "promotion"):
        fields["ip"] = {"ownership_clear": True, "dispute": "none", "patents": ["ZL202110000001.2"]}
        applicant = fields["applicant"]
        fields["lead"] = {"name": "王芳", "title": "高级工程师", "affiliation": applicant["name"],
                          "affiliation_type": "enterprise",
                          "region_code": applicant["region_code"]}  # fmt: skip
    if scenario.category == "promotion":
        fields |= {"lead_enterprise": {"name": fields["applicant"]["name"], "type": "enterprise"},
                   "agreement_signed": True,
                   "partners": [{"name": "四川大学", "type": "university"}]}  # fmt: skip
    if scenario.category == "challenge":
        fields |= {"solved": False, "cooperation_mode": "joint"}
    if finance:
        fields |= {"institution": fields["applicant"]["name"], "product_type": "loan"}
    return fields | scenario.extra


def materials(folder: Path) -> dict[str, bytes]:
    """A 2-second H.264 video and a PNG made by ffmpeg, and a one-page PDF."""
    video, image = folder / "demo.mp4", folder / "demo.png"
    ffmpeg = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi"]
    subprocess.run([*ffmpeg, "-i", "testsrc=duration=2:size=320x240:rate=15",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(video)], check=True)  # fmt: skip
    subprocess.run([*ffmpeg, "-i", "color=c=0xf3f6fa:s=800x600", "-frames:v", "1", str(image)],
                   check=True)  # fmt: skip
    return {"promo_video": video.read_bytes(), "introduction": pdf("Kechuang demo: project"),
            "proof": image.read_bytes()}  # fmt: skip


def pdf(text: str) -> bytes:
    """A minimal valid one-page PDF showing `text` (ASCII)."""
    stream = f"BT /F1 18 Tf 72 770 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def play(office: Client, staff: Client, scenario: Scenario, district: str, key: str,
         call_id: str, files: dict[str, bytes]) -> str:  # fmt: skip
    """Take one entry as far as its scenario goes; returns the state reporting will show."""
    created = office.create(body(scenario, district, call_id), key=key)
    entry = office.entry(created["id"])  # a replayed create answers with the first response
    if entry["status"] != "draft" or entry.get("materials"):
        return current_state(staff, entry)  # loaded by an earlier run
    if scenario.outcome == DRAFT:
        return DRAFT
    kinds = NEEDED[scenario.category]
    if scenario.outcome == INCOMPLETE:
        kinds = tuple(k for k in kinds if k != "promo_video")  # the video never came
    for material in [office.upload(entry["id"], kind, KIND_NAMES[kind], CONTENT_TYPES[kind],
                                   files[kind]) for kind in kinds]:  # fmt: skip
        office.verified(material)
    office.submit(entry["id"])
    if scenario.outcome == WITHDRAWN:
        office.withdraw(entry["id"])
        return WITHDRAWN
    if scenario.outcome == RETURNED:
        due = (datetime.now(UTC) + timedelta(days=7)).isoformat()
        returned = {
            "reasons": "请补充故障数据和期望的技术指标。",
            "fields": ["summary"],
            "due": due,
        }
        expect(staff.call("POST", f"/api/v1/submissions/{entry['id']}/return", json=returned), 200)
        return RETURNED
    if scenario.outcome in (INCOMPLETE, INELIGIBLE):
        office.screened(entry["id"], {scenario.outcome})
        return scenario.outcome
    staff.screened(entry["id"], {IN_REVIEW})
    if scenario.outcome == IN_REVIEW:
        return IN_REVIEW
    staff.review(entry["id"], "eligible", "材料齐全，技术先进，同意入库。")
    if scenario.outcome == SELECTED:
        office.forward(call_id, entry["id"])  # 四(二): the district forwards, the city selects
        staff.select(entry["id"], "selected", "推荐参加大会路演。")
    return scenario.outcome


def current_state(staff: Client, entry: dict[str, Any]) -> str:
    """The state reporting shows for `entry`, from its owners: intake, then screening."""
    if entry["status"] in (DRAFT, WITHDRAWN, RETURNED):
        return str(entry["status"])
    screening = staff.screening(entry["id"])
    if (screening.get("selection") or {}).get("decision") == SELECTED:
        return SELECTED
    return "submitted" if screening["state"] == "pending" else str(screening["state"])


def plan(districts: tuple[str, ...]) -> list[tuple[str, int, Scenario]]:
    """(district, number, scenario): the first district gets all scenarios, each next one
    fewer, starting elsewhere in the list so that the districts' mixes differ."""
    chosen = []
    for i, district in enumerate(districts):
        count = max(len(SCENARIOS) - i, 3)
        for n in range(count):
            chosen.append((district, n, SCENARIOS[(3 * i + n) % len(SCENARIOS)]))
    return chosen


def load(base_url: str, token: Callable[..., str], call_id: str, districts: tuple[str, ...],
         progress: Callable[[int], Any] | None = None) -> Counter[str]:  # fmt: skip
    """Load the demo; returns how many entries end in each state."""
    staff = Client(base_url, token("staff", None))
    offices = {d: Client(base_url, token("office", d)) for d in districts}
    todo = plan(districts)
    with tempfile.TemporaryDirectory() as folder:
        files = materials(Path(folder))

        def run(item: tuple[str, int, Scenario]) -> str:
            district, n, scenario = item
            # One Client per thread: a requests.Session is not shared between threads.
            office = Client(base_url, offices[district].token)
            state = play(office, Client(base_url, staff.token), scenario, district,
                         f"demo-v{VERSION}-{call_id}-{n}", call_id, files)  # fmt: skip
            if progress:
                progress(1)
            return state

        with ThreadPoolExecutor(max_workers=len(districts)) as pool:
            return Counter(pool.map(run, todo))
