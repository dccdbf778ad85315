"""The province package and the recommendation letter, from real materials verified by media
(see package_fixtures): the zip's manifest equals what media stored, every file's bytes give
their listed SHA-256, the 汇总表 holds only the recommended entries in rank order, hostile titles
and filenames stay inside the package's folders, a tampered object stops the download, an object
lost from the bucket is listed as missing while the rest downloads whole, and the letter reads
back with its titles and labels in embedded fonts."""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from ops.client import Client
from ops.province import check as province_check
from services.reporting.adapters import export
from tests.integration import package_fixtures, printed
from tests.integration.media_fixtures import media_bucket, root_storage  # noqa: F401
from tests.integration.package_fixtures import Province

province = package_fixtures.province  # the fixture, used by name below
HOSTILE = "../../etc/passwd\u202eexe.\u200d名称"
HOSTILE_FILES = ("../../../evil.mp4", "..\\..\\介绍.pdf", "/abs/证明.pdf")


def recommend(p: Province, entry: str, rank: int, reason: str) -> None:
    done = p.post(entry, "recommendation", {"rank": rank, "reason": reason})
    assert done.status_code == 200, done.text


def test_the_package_holds_the_recommended_entries_as_media_verified_them(
    province: Province, tmp_path: Path
) -> None:
    p = province
    plain = p.selected_entry("高效低成本钙钛矿太阳能电池")
    hostile = p.selected_entry(HOSTILE, HOSTILE_FILES)
    p.selected_entry("入选但未推荐的项目")
    recommend(p, hostile, 2, "成果转化前景好")
    recommend(p, plain, 1, "技术国际领先")
    rows = p.reported(2)
    assert [r["submission_id"] for r in rows] == [plain, hostile]
    assert [r["recommendation_rank"] for r in rows] == [1, 2]

    staff_only = p.report("/recommendations.zip", role="office")
    assert staff_only.status_code == 403
    with p.report("/recommendations.zip", stream=True) as got:
        assert got.status_code == 200, got.text
        assert got.headers["Content-Type"] == "application/zip"
        body = b"".join(got.iter_content(64 * 1024))
    assert len(body) == int(got.headers["Content-Length"])

    with zipfile.ZipFile(io.BytesIO(body)) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(names) == set(listed) | {"manifest.json"}
        for name in names:  # nothing lands outside the folder it is extracted to
            assert not name.startswith("/") and "\\" not in name
            assert ".." not in posixpath.normpath(name).split("/")
        for path, item in listed.items():
            data = z.read(path)
            assert (len(data), hashlib.sha256(data).hexdigest()) == (item["size"], item["sha256"])
        z.extractall(tmp_path / "out")
        assert all((tmp_path / "out" / n).resolve().is_relative_to(tmp_path / "out") for n in names)
        table = load_workbook(io.BytesIO(z.read("汇总表.xlsx")))[export.ENTRIES_SHEET]
    # The manifest's materials are exactly what media verified for the recommended entries.
    materials = {f["material_id"]: f for f in manifest["files"] if "material_id" in f}
    verified = p.media.digests(list(materials))
    assert len(materials) == 6
    assert {k: (v["size"], v["sha256"]) for k, v in verified.items()} == {
        k: (v["size"], v["sha256"]) for k, v in materials.items()
    }
    assert [e["submission_id"] for e in manifest["entries"]] == [plain, hostile]
    assert all(f.startswith("materials/") for f in materials_paths(manifest))
    # The 汇总表: only the recommended entries, in rank order, with their rank and reason.
    headers = [c.value for c in table[export.HEADER_ROW]]
    first = export.FIRST_ENTRY_ROW
    titles = [table.cell(first + n, headers.index("项目名称") + 1).value for n in range(3)]
    assert titles[:2] == ["高效低成本钙钛矿太阳能电池", rows[1]["title"]] and titles[2] is None
    ranks = [table.cell(first + n, headers.index("推荐排序") + 1).value for n in range(2)]
    assert ranks == [1, 2]

    # What `kechuang export recommendations` does: download through OUT.part, then check.
    client = Client(p.reporting.base, p.reporting.token("staff", None))
    seen: list[int] = []
    out = tmp_path / "package.zip"
    written = client.download("/api/v1/reports/recommendations.zip", out,
                              lambda n, total: seen.append(n))  # fmt: skip
    assert written == sum(seen) == out.stat().st_size  # made anew: its time differs
    assert not (tmp_path / "package.zip.part").exists()
    checked = province_check(out)
    assert checked.ok and checked.files == len(listed)


def materials_paths(manifest: dict) -> list[str]:
    return [f["path"] for f in manifest["files"] if "material_id" in f]


def test_the_letter_lists_the_recommended_entries_in_embedded_fonts(province: Province) -> None:
    p = province
    entry = p.selected_entry("秸秆综合利用技术推广")
    recommend(p, entry, 1, "带动农户增收")
    p.reported(1)
    got = p.report("/recommendations/letter.pdf")
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/pdf"
    text, embedded = printed.read(got.content, "recommendation-letter")
    assert embedded
    pdf = Path(printed.SCREENSHOTS) / "recommendation-letter.pdf"
    extracted = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout  # fmt: skip
    squeezed = "".join(extracted.split())
    labels = ("关于推荐“科创会”优秀科创项目的函", "四川省科学技术协会", "推荐排序", "项目名称",
              "类别", "所属区县", "推荐理由", "巴中市科学技术协会", "盖章", "第1页")  # fmt: skip
    for expected in (*labels, "秸秆综合利用技术推广", "带动农户增收"):
        assert expected in squeezed, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]  # fmt: skip
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert (printed.SCREENSHOTS / "recommendation-letter.png").exists()


def recommended_introduction(p: Province, title: str) -> tuple[dict[str, Any], str]:
    """A selected entry recommended first, its introduction as reported and its object key."""
    entry = p.selected_entry(title)
    recommend(p, entry, 1, "测试")
    p.reported(1)
    material = next(m for m in p.report("/entries").json()["items"][0]["materials"]
                    if m["kind"] == "introduction")  # fmt: skip
    key = next(o.object_name for o in root_storage().client.list_objects(
        p.storage.bucket, recursive=True) if material["material_id"] in o.object_name)  # fmt: skip
    return material, key


def test_a_material_changed_in_the_bucket_stops_the_download(province: Province) -> None:
    p = province
    # Same size, other bytes, written past media (as root): the package must not carry it.
    material, key = recommended_introduction(p, "被篡改的项目")
    stat = root_storage().client.stat_object(p.storage.bucket, key)
    root_storage().client.put_object(p.storage.bucket, key, io.BytesIO(b"x" * stat.size),
                                     stat.size)  # fmt: skip
    with (
        pytest.raises(requests.exceptions.RequestException),  # noqa: PT012
        p.report("/recommendations.zip", stream=True) as got,
    ):
        assert got.status_code == 200
        body = b"".join(got.iter_content(64 * 1024))
        # Should the client not notice the short body itself, the zip is still unusable.
        assert len(body) < int(got.headers["Content-Length"])
        raise requests.exceptions.ChunkedEncodingError("short body")


def test_a_material_lost_from_the_bucket_is_listed_missing_and_the_rest_downloads(
    province: Province,
) -> None:
    p = province
    material, key = recommended_introduction(p, "存储中丢失材料的项目")
    root_storage().client.remove_object(p.storage.bucket, key)  # lost past media (as root)

    with p.report("/recommendations.zip", stream=True) as got:
        assert got.status_code == 200, got.text
        body = b"".join(got.iter_content(64 * 1024))
    assert len(body) == int(got.headers["Content-Length"])  # whole, not cut midway
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        manifest = json.loads(z.read("manifest.json"))
        packed = {f["material_id"] for f in manifest["files"] if "material_id" in f}
        for item in manifest["files"]:
            data = z.read(item["path"])
            assert hashlib.sha256(data).hexdigest() == item["sha256"]
    assert [m["material_id"] for m in manifest["missing"]] == [material["material_id"]]
    assert manifest["missing"][0]["filename"] == material["filename"]
    assert material["material_id"] not in packed and len(packed) == 2
