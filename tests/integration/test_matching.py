"""Matching in this process (real HTTP, PostgreSQL, RabbitMQ) fed by real events: an owner
named `intake` serves a real event store's log over RPC from a throw-away database, in a
RabbitMQ vhost of the test's own (see reporting_fixtures.py, whose `World` writes the events).

Covers the endpoints, district isolation, withdrawal, confirm and dismiss, and duplicates."""

from __future__ import annotations

import copy
import io
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from nameko.containers import ServiceContainer
from openpyxl import load_workbook
from sqlalchemy import func, select

import shared.catalog  # noqa: F401  (registers the event types)
from ops import schema
from services.matching.adapters.export import COLUMNS as EXPORT_COLUMNS
from services.matching.adapters.tables import decisions
from services.matching.domain import duplicates
from services.matching.queries import Matching as Queries
from services.matching.service import MatchingService
from shared.auth import new_key_pair
from shared.db import make_engine
from shared.eventstore import EventStore, consumer_checkpoint, events
from tests.entries import full_body
from tests.integration.conftest import Broker, private_vhost, throwaway_database, vhost_uri
from tests.integration.helpers import wait_until
from tests.integration.intake_fixtures import Api, free_port
from tests.integration.reporting_fixtures import IntakeOwner, World

pytestmark = pytest.mark.integration
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [name for name, _ in EXPORT_COLUMNS]


@dataclass
class Matching:
    api: Api
    world: World

    def get(self, path: str, role: str = "staff", district: str | None = None,
            **kwargs: Any) -> requests.Response:  # fmt: skip
        return self.api.call("GET", path, role=role, district=district, **kwargs)

    def post(self, path: str, body: Any, role: str = "staff",
             district: str | None = None) -> requests.Response:  # fmt: skip
        return self.api.call("POST", path, role=role, district=district, json=body)

    def entry(self, district: str, category: str, title: str, summary: str, **extra: Any) -> str:
        # Nothing shared by accident: full_body's benefits, industries and keywords are alike.
        plain = {"summary": summary, "benefits": "", "industry_codes": [], "keywords": []}
        body = copy.deepcopy(full_body(category)) | plain | extra
        sid = self.world.draft(district, category, title, body)
        self.world.submit(sid)
        return sid

    def settle(self) -> None:
        """Number what was appended and wake the consumer; wait until it applied all of it."""
        store = self.world.stores["intake"]
        store.sequence()
        head = store.head()
        self.world.publish("intake", store.read_log_raw(after=head - 1, limit=1)[0])

        def done() -> bool:
            with self.world.engine.connect() as conn:
                at = conn.execute(
                    select(consumer_checkpoint.c.position).where(
                        consumer_checkpoint.c.consumer == "matching"
                    )
                ).scalar()
            return at == head

        wait_until(done, 30, "matching to apply intake's log")


@pytest.fixture(name="m")
def matching_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Matching]:
    with ExitStack() as stack:
        vhost = stack.enter_context(private_vhost("kechuang_match"))
        broker = Broker(vhost_uri(vhost), "test.matching.events", "test.matching.dead")
        for key, value in broker.env().items():
            monkeypatch.setenv(key, value)
        intake_url = stack.enter_context(throwaway_database())
        schema.upgrade(intake_url)
        monkeypatch.setenv("KECHUANG_DB_URL_INTAKE", intake_url)
        intake_engine = make_engine(intake_url, pool_size=5)
        stack.callback(intake_engine.dispose)
        database_url = stack.enter_context(throwaway_database())
        schema.upgrade(database_url, "matching")
        monkeypatch.setenv("KECHUANG_DB_URL_MATCHING", database_url)
        engine = make_engine(database_url, pool_size=5)
        stack.callback(engine.dispose)
        private_pem, public_pem = new_key_pair()
        (tmp_path / "jwt-public.pem").write_bytes(public_pem)
        monkeypatch.setenv("KECHUANG_JWT_PUBLIC_KEY_FILE", str(tmp_path / "jwt-public.pem"))
        port = free_port()
        base = {"AMQP_URI": broker.uri, "max_workers": 10, "serializer": "json"}
        containers = [
            ServiceContainer(IntakeOwner, base),
            ServiceContainer(MatchingService, base | {"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}),
        ]
        for container in containers:
            container.start()
            stack.callback(container.stop)
        world = World({"intake": EventStore(intake_engine)}, broker, engine)
        yield Matching(Api(f"http://127.0.0.1:{port}", private_pem), world)


STRAW = "我县每年产生玉米、水稻秸秆约二十万吨，露天焚烧污染空气，急需秸秆综合利用的成套方案。"
STRAW_OFFER = "研制秸秆粉碎还田机和青贮饲料发酵菌剂，秸秆饲料化利用率高，已在川东北推广。"
SOLAR = "采用新型空穴传输材料，钙钛矿电池光电转换效率达到百分之二十五，成本降低三成。"
ORCHARD = (
    "针对川东北山地果园取水难、施肥粗放的问题，研制太阳能提水与水肥一体化滴灌设备。"
    "系统根据土壤墒情传感器数据自动决定灌溉时间和施肥量。"
    "在巴中、达州的柑橘园示范应用三千亩，节水百分之四十，节肥百分之三十。"
)
ORCHARD_COPY = (
    "系统依据土壤墒情传感器的数据自动决定灌溉时间和施肥量。"
    "在巴中、达州的柑桔园示范推广三千亩，节水百分之四十，节肥百分之三十。"
    "针对川东北山地果园取水难、施肥粗放的问题，研制太阳能提水及水肥一体化滴灌设备。"
)


def test_matches_isolation_decisions_withdrawal_and_duplicates(m: Matching) -> None:
    farm = {"industry_codes": ["A", "01"], "keywords": ["秸秆"]}
    need = m.entry("巴州区", "challenge", "秸秆综合利用技术难题", STRAW, **farm)
    straw = m.entry("恩阳区", "achievement", "秸秆还田与秸秆饲料化成套技术", STRAW_OFFER,
                    industry_codes=["A"], keywords=["秸秆", "饲料"])  # fmt: skip
    solar = m.entry("通江县", "achievement", "钙钛矿太阳能电池", SOLAR)
    orchard = m.entry("巴州区", "promotion", "山地果园智能水肥一体化灌溉系统", ORCHARD)
    copy_ = m.entry("通江县", "promotion", "山地果园智能水肥一体化灌溉系统及应用", ORCHARD_COPY)
    draft = m.world.draft("恩阳区", "achievement", "秸秆压块燃料", full_body("achievement"))
    m.settle()

    # Staff see the challenge's offers, best first, explained; drafts are not offered.
    answer = m.get(f"/api/v1/matches/{need}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["side"] == "need" and body["title"] == "秸秆综合利用技术难题"
    ids = [item["submission_id"] for item in body["items"]]
    assert ids[0] == straw and draft not in ids and solar not in ids
    top = body["items"][0]
    assert top["district"] == "恩阳区" and top["decision"] is None
    assert "秸秆" in top["reasons"]["terms"] and "同属行业" in top["explanation"]
    # An offer finds its challenge.
    assert [i["submission_id"] for i in m.get(f"/api/v1/matches/{straw}").json()["items"]] == [need]
    # A challenge still a draft finds its offers by its words too (derived when asked).
    words_only = {"summary": STRAW, "benefits": "", "industry_codes": [], "keywords": []}
    unsent = m.world.draft("巴州区", "challenge", "秸秆综合利用技术难题",
                           copy.deepcopy(full_body("challenge")) | words_only)  # fmt: skip
    m.settle()
    mine = m.get(f"/api/v1/matches/{unsent}", role="office", district="巴州区")
    assert mine.status_code == 200, mine.text
    assert mine.json()["items"][0]["submission_id"] == straw

    # An office asks about its own entries only; another district's is as if it did not exist.
    assert m.get(f"/api/v1/matches/{need}", role="office", district="巴州区").status_code == 200
    other = m.get(f"/api/v1/matches/{need}", role="office", district="恩阳区")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert m.get(f"/api/v1/matches/{uuid.uuid4()}").status_code == 404
    assert m.get("/api/v1/matches/not-an-id").status_code == 404
    assert m.get(f"/api/v1/matches/{need}?limit=0").status_code == 422
    assert len(m.get(f"/api/v1/matches/{need}?limit=1").json()["items"]) == 1

    # Staff confirm; an office may not; a pair of two offers is no match.
    path = f"/api/v1/matches/{need}/{straw}"
    assert (
        m.post(path, {"decision": "confirmed"}, role="office", district="巴州区").status_code == 403
    )
    assert m.post(path, {"decision": "maybe"}).status_code == 422
    assert m.post(f"/api/v1/matches/{straw}/{solar}", {"decision": "confirmed"}).status_code == 422
    confirmed = m.post(path, {"decision": "confirmed", "note": "已签约"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["challenge_id"] == need and confirmed.json()["offer_id"] == straw
    assert m.get(f"/api/v1/matches/{need}").json()["items"][0]["decision"] == "confirmed"

    # The matches table: staff only; the challenge with its offers, the confirmed one marked.
    report = "/api/v1/reports/matches.xlsx"
    assert m.get(report, role="office", district="巴州区").status_code == 403
    table = m.get(report)
    assert table.status_code == 200 and table.headers["Content-Type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(table.content))["供需对接"]
    rows = [
        dict(zip(COLUMNS, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert {r["科技难题"] for r in rows} == {"秸秆综合利用技术难题"}
    assert rows[0]["对接项目"] == "秸秆还田与秸秆饲料化成套技术"
    assert rows[0]["对接状态"] == "已确认对接" and rows[0]["排名"] == 1
    # Either order names the same pair; a dismissal drops it from the list.
    assert m.post(f"/api/v1/matches/{straw}/{need}", {"decision": "dismissed"}).status_code == 200
    assert straw not in [
        i["submission_id"] for i in m.get(f"/api/v1/matches/{need}").json()["items"]
    ]
    with m.world.engine.connect() as conn:
        recorded = conn.execute(
            select(events.c.type, events.c.data)
            .where(events.c.type == "MatchDecided").order_by(events.c.seq)
        ).all()  # fmt: skip
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 1
    assert [(t, d["decision"]) for t, d in recorded] == [
        ("MatchDecided", "confirmed"), ("MatchDecided", "dismissed")
    ]  # fmt: skip

    # Duplicates: staff only; the copy across districts is found, nothing else.
    assert m.get("/api/v1/duplicates", role="office", district="巴州区").status_code == 403
    duplicates = m.get("/api/v1/duplicates").json()
    assert duplicates["total"] == 1
    (pair,) = duplicates["items"]
    assert {pair["a"]["submission_id"], pair["b"]["submission_id"]} == {orchard, copy_}
    assert "summary" in pair["fields"] and pair["similarity"] >= 0.5
    assert pair["decision"] is None
    # Matching publishes the suspicion (its timer, or here at once), naming both entries.
    Queries(m.world.engine).publish_suspicions()
    (suspected,) = published(m, "DuplicateSuspected")
    assert {suspected["submission_id"], suspected["other_id"]} == {orchard, copy_}
    assert {suspected["title"], suspected["other_title"]} == {
        "山地果园智能水肥一体化灌溉系统", "山地果园智能水肥一体化灌溉系统及应用"
    }  # fmt: skip
    assert Queries(m.world.engine).publish_suspicions() == (0, 0)  # once per pair

    # Staff mark the pair (an office may not); the list shows it; the event is recorded.
    marking = f"/api/v1/duplicates/{copy_}/{orchard}"
    body = {"decision": "duplicate_of", "note": "同一单位两区县重复申报"}
    assert m.post(marking, body, role="office", district="巴州区").status_code == 403
    assert m.post(marking, {"decision": "same"}).status_code == 422
    assert m.post(f"/api/v1/duplicates/{copy_}/{copy_}", body).status_code == 422
    assert m.post(f"/api/v1/duplicates/{copy_}/{uuid.uuid4()}", body).status_code == 404
    marked = m.post(marking, body)
    assert marked.status_code == 200, marked.text
    assert marked.json()["submission_id"] == copy_ and marked.json()["other_id"] == orchard
    (pair,) = m.get("/api/v1/duplicates").json()["items"]
    assert pair["decision"]["decision"] == "duplicate_of"
    assert pair["decision"]["submission_id"] == copy_
    assert m.post(f"/api/v1/duplicates/{orchard}/{copy_}",
                  {"decision": "not_duplicate"}).status_code == 200  # fmt: skip
    (pair,) = m.get("/api/v1/duplicates").json()["items"]
    assert pair["decision"]["decision"] == "not_duplicate"
    with m.world.engine.connect() as conn:
        marks = conn.execute(
            select(events.c.stream_id, events.c.data)
            .where(events.c.type == "DuplicateMarked").order_by(events.c.seq)
        ).all()  # fmt: skip
    assert [d["decision"] for _, d in marks] == ["duplicate_of", "not_duplicate"]
    assert marks[0].stream_id == marks[1].stream_id  # one stream per pair, either way round

    # A withdrawn entry drops out of everything.
    m.world.withdraw(copy_)
    m.world.withdraw(need)
    m.settle()
    assert m.get(f"/api/v1/matches/{need}").status_code == 404
    assert m.get(f"/api/v1/matches/{straw}").json()["items"] == []
    assert m.get("/api/v1/duplicates").json()["total"] == 0
    Queries(m.world.engine).publish_suspicions()
    (cleared,) = published(m, "DuplicateCleared")
    assert {cleared["submission_id"], cleared["other_id"]} == {orchard, copy_}


def published(m: Matching, event_type: str) -> list[dict[str, Any]]:
    with m.world.engine.connect() as conn:
        found = conn.execute(
            select(events.c.data).where(events.c.type == event_type).order_by(events.c.seq)
        ).scalars()
        return list(found)


GAS = (
    "我矿回采工作面和掘进头瓦斯经常超限，一个月停产好几次。现有的催化燃烧探头漂移大，需要每周"
    "标校，误报多了工人就不当回事。需要灵敏可靠、不用频繁标校的监测手段。"
)
LASER = (
    "中国测试技术研究院团队经6年攻关形成此项成果。可调谐半导体激光吸收光谱测量甲烷浓度，不受其他"
    "气体干扰，免标校周期一年以上，零点漂移很小。监测数据接入调度中心，趋势分析提前预警。"
    "已在宣汉县普光镇等23座矿井应用。"
)
LASER_REWRITTEN = (
    "项目负责人李四，单位中国测试院，历时6年完成。借助可调谐半导体激光吸收光谱测定甲烷浓度，"
    "免标校周期超过一年，零点几乎不漂移；数据接入调度中心后能够分析趋势、提前预警。目前在"
    "普光镇等23座矿井使用，不受其他气体干扰。"
)
LASER_OTHER = (
    "四川大学团队研制。可调谐半导体激光吸收光谱测量甲烷浓度，不受其他气体干扰，免标校周期一年"
    "以上。监测数据接入调度中心，趋势分析提前预警。已在旺苍县嘉川镇等8座矿井应用。"
)


def test_bands_no_good_match_and_a_double_in_new_sentences(m: Matching) -> None:
    mine = {"industry_codes": ["B", "06"], "keywords": []}
    need = m.entry("宣汉县", "challenge", "煤矿井下瓦斯超限频繁报警", GAS, **mine)
    laser = m.entry("巴州区", "achievement", "激光甲烷传感器与安全监控系统", LASER)
    again = m.entry("通江县", "achievement", "光谱法甲烷检测免标校技术", LASER_REWRITTEN)
    other_lead = copy.deepcopy(full_body("achievement")["lead"]) | {"name": "王五"}
    other = m.entry("南江县", "achievement", "激光甲烷传感器与安全监控系统", LASER_OTHER,
                    lead=other_lead)  # fmt: skip
    old_books = "馆藏清代川剧唱本纸张酸化脆裂，虫蛀霉斑严重，急需修复和数字化保存。"
    lonely = m.entry("平昌县", "challenge", "川剧古籍唱本破损修复", old_books)
    m.settle()

    # The answer in its own words (甲烷, not 瓦斯) is found, banded, and explained.
    body = m.get(f"/api/v1/matches/{need}").json()
    assert body["verdict"] == "matched" and body["message"] == ""
    items = {i["submission_id"]: i for i in body["items"]}
    assert laser in items and items[laser]["band"] in ("强", "中")
    assert "语义相近" in items[laser]["explanation"] and items[laser]["semantic"] >= 0.88
    assert 0 < items[laser]["score"] < 1
    # A challenge no offer answers says so instead of listing weak ones; asked, it shows them.
    answer = m.get(f"/api/v1/matches/{lonely}").json()
    assert answer["verdict"] == "no_good_match" and answer["items"] == []
    assert answer["message"].startswith("暂无较好的匹配")
    weak = m.get(f"/api/v1/matches/{lonely}?weak=true").json()["items"]
    assert all(i["band"] == "弱" for i in weak)
    assert m.get(f"/api/v1/matches/{lonely}?weak=maybe").status_code == 422

    # The table shows the bands, and the lonely challenge's 暂无较好的匹配.
    sheet = load_workbook(io.BytesIO(m.get("/api/v1/reports/matches.xlsx").content))["供需对接"]
    rows = [
        dict(zip(COLUMNS, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    first = next(r for r in rows if r["科技难题"] == "煤矿井下瓦斯超限频繁报警")
    assert first["匹配强度"] in ("强", "中") and first["排名"] == 1
    alone = next(r for r in rows if r["科技难题"] == "川剧古籍唱本破损修复")
    assert alone["对接项目"] == "（暂无较好的匹配）" and alone["匹配强度"] is None

    # The same achievement rewritten by a second county (its lead, figures and towns kept) is a
    # suspected double; the same technology from another team and lead is not.
    pairs = m.get("/api/v1/duplicates").json()["items"]
    found = [{p["a"]["submission_id"], p["b"]["submission_id"]} for p in pairs]
    assert {laser, again} in found
    assert not [p for p in found if other in p]
    (pair,) = [
        p for p in pairs if {p["a"]["submission_id"], p["b"]["submission_id"]} == {laser, again}
    ]
    assert pair["similarity"] < duplicates.SIMILAR  # below the near-copy check: rewritten
