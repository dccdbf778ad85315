"""The province package's plan and stream (`services.reporting.domain.package`,
`adapters.package`) without I/O: hostile titles and filenames stay inside their folders, paths
are unique, the table digest is the canonical list's, and a material whose bytes are not what
media verified stops the stream."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from services.reporting.adapters import package as stream
from services.reporting.domain import package
from services.reporting.domain.projection import Entry

HOSTILE = ["../../etc/passwd", "..", "/abs/path", "C:\\windows\\x", "a\u202egnp.exe", "\x00nul",
           " . ", "名称" * 50, "CON:*?<>|"]  # fmt: skip


def entry(n: int, title: str, materials: list[dict[str, Any]]) -> Entry:
    return Entry(submission_id=f"s{n}", known=True, district="巴州区", category="achievement",
                 title=title, recommendation_rank=n, recommendation_reason="理由",
                 materials=materials)  # fmt: skip


def digests(blobs: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {k: {"size": len(v), "sha256": hashlib.sha256(v).hexdigest(), "status": "stored"}
            for k, v in blobs.items()}  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_a_safe_name_is_one_harmless_path_segment(text: str) -> None:
    name = package.safe_name(text, 40, "x")
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert all(ord(ch) >= 0x20 and ch not in "\u202e:*?<>|" for ch in name)
    assert len(name) <= 40


def test_paths_stay_in_their_folders_and_are_unique() -> None:
    mats = [{"material_id": f"m{i}", "filename": name, "status": "stored"}
            for i, name in enumerate(["../a.pdf", "a.pdf", "A.pdf", "..\\..\\b.mp4"])]  # fmt: skip
    blobs = {f"m{i}": b"x" * i for i in range(4)}
    plan = package.plan([entry(1, "../../evil", mats), entry(2, "../../evil", [])],
                        digests(blobs))  # fmt: skip
    paths = [m.path for m in plan.materials]
    assert len({p.casefold() for p in paths}) == 4
    assert all(p.startswith("materials/1-") and ".." not in p.split("/") for p in paths)
    assert plan.folders["s1"] != plan.folders["s2"]


def test_a_material_media_does_not_list_as_stored_is_left_out() -> None:
    mats = [{"material_id": "m1", "filename": "a.pdf"}, {"material_id": "m2", "filename": "b"}]
    found = digests({"m1": b"a"}) | {"m2": {"size": 1, "sha256": "0" * 64, "status": "rejected"}}
    assert [m.material_id for m in package.plan([entry(1, "t", mats)], found).materials] == ["m1"]


def test_a_material_gone_from_the_bucket_is_listed_as_missing_not_packed() -> None:
    mats = [
        {"material_id": "m1", "filename": "a.pdf"},
        {"material_id": "m2", "filename": "介绍.pdf"},
    ]
    found = digests({"m1": b"a", "m2": b"bb"})
    found["m2"]["in_bucket"] = False
    plan = package.plan([entry(1, "t", mats)], found)
    assert [m.material_id for m in plan.materials] == ["m1"]
    listed = package.manifest(plan, {}, "2021-11-20T00:00:00+00:00")
    assert [(m["material_id"], m["filename"]) for m in listed["missing"]] == [("m2", "介绍.pdf")]
    assert [f["material_id"] for f in listed["files"]] == ["m1"]


def test_the_table_digest_is_the_canonical_list_s() -> None:
    mats = [{"material_id": "m1", "filename": "a.pdf"}]
    plan = package.plan([entry(1, "t", mats)], digests({"m1": b"a"}))
    canonical = [{"materials": [{"material_id": "m1", "sha256": hashlib.sha256(b"a").hexdigest()}],
                  "rank": 1, "submission_id": "s1"}]  # fmt: skip
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert package.table_digest(plan) == hashlib.sha256(text.encode()).hexdigest()


def _zip(blobs: dict[str, bytes], served: dict[str, bytes]) -> tuple[Any, bytes]:
    mats = [{"material_id": k, "filename": f"{k}.bin"} for k in blobs]
    plan = package.plan([entry(1, "项目", mats)], digests(blobs))
    docs = {package.TABLE: b"xlsx", package.LETTER: b"pdf"}
    manifest = package.manifest(plan, docs, "2021-11-20T00:00:00+00:00")

    def read(url: str) -> Iterator[bytes]:
        body = served[url]
        for i in range(0, len(body), 3):
            yield body[i : i + 3]

    def source(mid: str) -> dict[str, Any]:
        return digests(blobs)[mid] | {"url": mid}

    zipped = stream.zip_stream(plan, manifest, docs, source, read)
    return zipped, manifest


def test_the_stream_is_a_zip_of_the_manifest_s_files_and_its_declared_length() -> None:
    blobs = {"m1": b"hello" * 100, "m2": b""}
    zipped, manifest = _zip(blobs, blobs)
    size = len(zipped)
    body = b"".join(stream.chunks(zipped, lambda exc: None))
    assert len(body) == size
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        listed = json.loads(z.read(package.MANIFEST))
        assert listed == manifest
        for item in listed["files"]:
            assert hashlib.sha256(z.read(item["path"])).hexdigest() == item["sha256"]


def test_a_material_whose_bytes_changed_stops_the_stream() -> None:
    zipped, _ = _zip({"m1": b"hello"}, {"m1": b"jello"})
    errors: list[BaseException] = []
    with pytest.raises(stream.MaterialChanged):
        b"".join(stream.chunks(zipped, errors.append))
    assert isinstance(errors[0], stream.MaterialChanged)
