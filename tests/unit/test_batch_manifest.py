"""The district's batch manifest (汇总报送) and its 报送函: the canonical JSON is sorted, compact
UTF-8 whose SHA-256 anyone can recompute from the manifest as the API answers it; the hash does
not depend on how the manifest was built (key order) and does change with any frozen value;
hostile titles (controls, bidi overrides, huge, a lone surrogate from an old row) give bytes with
no NUL that read back to the same manifest; the letter lists the entries and prints the hash and
a QR code of the verification address, with stored text shown as text."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.intake import letter
from services.intake.domain import manifest
from shared.calls import Call, load

NOW = datetime(2021, 11, 1, 17, 30, tzinfo=UTC)  # 2021-11-02 01:30 in Beijing
BATCH = "8f14e45f-ceea-467a-9b36-7d2c0c5a1e3b"
SID = "9b2f7c1e-4d3a-4b8e-9f0a-000000000001"
MID = "9b2f7c1e-4d3a-4b8e-9f0a-0000000000a1"
SHA = "ab" * 32


@pytest.fixture(scope="module")
def call() -> Call:
    calls = load(str(Path(__file__).parents[2] / "deploy" / "calls.yaml"))
    return next(iter(calls.values()))


def _built(call: Call, title: str = "高效低成本钙钛矿太阳能电池", **changes: Any) -> dict[str, Any]:
    entry = {
        "id": SID, "title": title, "category": "achievement", "version": 4,
        "materials": [
            {"material_id": MID, "kind": "video", "filename": "推介.mp4", "status": "stored"},
            {"material_id": "not-stored", "kind": "document", "filename": "x.pdf"},
        ],
    } | changes  # fmt: skip
    return manifest.build(
        batch_id=BATCH, number=2, call=call, district="巴州区", district_code="511902",
        sent_at=NOW, sent_by="test-office", included=[entry],
        left_out=[
            {"id": "draft-1", "title": "草稿", "status": "draft"},
            {"id": "bad-1", "title": "有争议的专利", "status": "submitted", "failed": [
                {"rule": "achievement.ip", "clause": "二(一)3", "outcome": "fail",
                 "message": "存在未解决的知识产权纠纷"},
                {"rule": "achievement.secret", "clause": "二(一)6⑤", "outcome": "fail",
                 "message": "涉密"},
            ]},
        ],
        digests={MID: {"size": 1234, "sha256": SHA, "status": "stored"},
                 "not-stored": {"size": 5, "sha256": None, "status": "uploaded"}},
    )  # fmt: skip


def test_the_manifest_freezes_entries_materials_and_what_was_left_out(call: Call) -> None:
    built = _built(call)
    assert built["call"] == {"id": call.id, "title": call.title}
    assert built["district"] == {"name": "巴州区", "code": "511902"}
    assert built["sent_at"] == "2021-11-01T17:30:00+00:00"
    assert built["sent_on"] == "2021-11-02"  # the Beijing date
    assert built["number"] == 2 and manifest.label(2) == "第2批"
    (entry,) = built["entries"]
    assert entry["version"] == 4 and entry["category"] == "achievement"
    # Only what media holds as stored, with media's size and digest.
    assert entry["materials"] == [
        {"id": MID, "kind": "video", "filename": "推介.mp4", "size": 1234, "sha256": SHA}
    ]
    # Left out: a draft with its reason; an ineligible entry with the clauses it fails
    # (issue #25 item 2: a district forwards only what may go).
    assert built["not_included"] == [
        {"id": "draft-1", "title": "草稿", "status": "draft", "reason": "未提交（草稿）"},
        {"id": "bad-1", "title": "有争议的专利", "status": "submitted",
         "screening_state": "ineligible", "reason": "不符合征集条件",
         "clauses": ["二(一)3", "二(一)6⑤"],
         "findings": [{"clause": "二(一)3", "message": "存在未解决的知识产权纠纷"},
                      {"clause": "二(一)6⑤", "message": "涉密"}]},
    ]  # fmt: skip
    assert built["format"] == 2


def test_canonical_json_is_sorted_compact_utf8_and_its_hash_recomputable(call: Call) -> None:
    built = _built(call)
    raw = manifest.canonical(built)
    text = raw.decode("utf-8")
    assert " " not in text.replace(call.title, "")  # no spaces but those inside values
    assert "钙钛矿" in text  # UTF-8, not \u escapes
    assert text == json.dumps(built, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert list(json.loads(text)) == sorted(built)
    assert manifest.digest(built) == hashlib.sha256(raw).hexdigest()
    # Stable: the same content in another key order hashes the same; any change does not.
    reordered = dict(reversed(list(built.items())))
    assert manifest.digest(reordered) == manifest.digest(built)
    assert manifest.digest(json.loads(text)) == manifest.digest(built)
    assert manifest.digest(_built(call, version=5)) != manifest.digest(built)
    assert manifest.digest(_built(call, title="高效低成本钙钛矿太阳能电池 ")) != manifest.digest(
        built
    )


@pytest.mark.parametrize(
    "title",
    [
        "控制\x00字符\x01\x1f\x7f\x9f",
        "\u202egnp.exe\u2066隔离\u2069\u202d",
        "<script>alert(1)</script>&amp;\"'\\",
        "长" * 1_000_000,
        "孤立代理\ud800项",
        "emoji 🧪 and 𠀀",
    ],
    ids=["controls", "bidi", "markup", "huge", "surrogate", "astral"],
)
def test_hostile_titles_give_nul_free_bytes_that_read_back(call: Call, title: str) -> None:
    built = _built(call, title=title)
    raw = manifest.canonical(built)
    assert b"\x00" not in raw
    raw.decode("utf-8")  # valid UTF-8 whatever the title holds
    assert json.loads(raw)["entries"][0]["title"] == title
    assert manifest.digest(built) == manifest.digest(_built(call, title=title))


def _batch(call: Call, title: str = "高效低成本钙钛矿太阳能电池") -> dict[str, Any]:
    built = _built(call, title=title)
    return {"id": BATCH, "number": 2, "sha256": manifest.digest(built), "manifest": built}


def test_the_letter_lists_the_entries_and_prints_hash_and_qr(call: Call) -> None:
    batch = _batch(call)
    html = letter.letter_html(batch, "https://kechuang.example.cn")
    assert "《关于报送“科创会”科创项目的函》" in html
    assert "巴中市科协" in html and "巴州区科协" in html and "第2批" in html
    for label in ("序号", "项目名称", "类别", "材料数", "报送单位（盖章）", "日期"):
        assert label in html
    assert "高效低成本钙钛矿太阳能电池" in html and "科技成果转化项目" in html
    assert batch["sha256"] in html and "2021年11月2日" in html
    address = f"https://kechuang.example.cn/api/v1/batches/{BATCH}/verify?sha256={batch['sha256']}"
    assert address in html
    assert "1 个项目未提交" in html
    assert "1 个项目经筛查不符合征集条件，未予报送：有争议的专利（二(一)3、二(一)6⑤）" in html
    qr = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert qr is not None
    assert base64.b64decode(qr.group(1)).startswith(b"\x89PNG")


def test_the_letter_prints_hostile_titles_as_text(call: Call) -> None:
    html = letter.letter_html(_batch(call, "<b>粗</b>\u202eexe.pdf"), "http://localhost:8080")
    assert "&lt;b&gt;粗&lt;/b&gt;[U+202E]exe.pdf" in html
    assert "<b>粗" not in html


def test_the_printed_address_is_the_public_front_door() -> None:
    from shared import config, topology

    assert config.load({"KECHUANG_PUBLIC_URL": "https://kc.example.cn/"}).public_url == (
        "https://kc.example.cn"
    )
    # Both runners set the presigned URLs' address to the front door: the same place.
    front = {"KECHUANG_MINIO_PUBLIC_URL": "http://host:8080"}
    assert config.load(front).public_url == "http://host:8080"
    assert config.load({"KECHUANG_PORT": "9090"}).public_url == "http://localhost:9090"
    # Reporting hears of batches from intake's log.
    assert "batch" in topology.CONSUMERS["reporting"]
    assert topology.STREAM_OWNERS["batch"] == "intake"
