"""The province package streamed as a zip: never whole in memory, whatever its size.

zipstream-ng writes each entry as its bytes come (stored, not compressed: videos and PDFs do
not shrink, and a stored entry's size is known, so the whole zip's length is too and the
answer carries a Content-Length a client can show progress by and check completeness with).
Each material is read from the bucket in 1 MiB chunks through a short-lived presigned GET that
media hands out over RPC (media owns the bucket; reporting never holds its keys), hashed as it
passes, and the digest compared with the one media verified, which `manifest.json` lists.

On a mismatch the download fails: the stream stops before the zip's central directory (the
Content-Length is not reached, so every HTTP client sees a broken download and no zip tool
opens it) and an error naming the material and both digests is logged. Leaving the file out
instead would need every object read twice (hashed, then sent), doubling the I/O of a package
of gigabytes, for a case that means the bucket was tampered with and wants a person anyway.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
from zipstream import ZIP_STORED, ZipStream

from services.reporting.domain.package import LETTER, MANIFEST, TABLE, PackedMaterial, Plan

log = logging.getLogger("kechuang.reporting.package")
CHUNK = 1024 * 1024
# (connect, read) seconds for one object: a read waits for the next chunk, not the whole file.
TIMEOUT = (5, 60)
# material id -> {"url", "sha256", "size", ...} of the stored material (media's RPC).
Sources = Callable[[str], Mapping[str, Any] | None]


class MaterialChanged(Exception):
    """A material's bytes in the bucket are not what media verified."""


def _read(url: str) -> Iterator[bytes]:
    with requests.get(url, stream=True, timeout=TIMEOUT) as response:
        response.raise_for_status()
        yield from response.iter_content(CHUNK)


def _checked(material: PackedMaterial, source: Sources, read: Callable[[str], Iterator[bytes]]
             ) -> Iterator[bytes]:  # fmt: skip
    """The material's bytes, hashed on the way; `MaterialChanged` at the end if they are not
    what the manifest says (zipstream also refuses a size other than the one declared)."""
    found = source(material.material_id)
    if found is None or found.get("sha256") != material.sha256:
        raise MaterialChanged(f"{material.material_id}: media no longer lists it as verified")
    digest, size = hashlib.sha256(), 0
    for chunk in read(str(found["url"])):
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    if digest.hexdigest() != material.sha256 or size != material.size:
        log.error(
            "province package: material %s (%s) read %s bytes with SHA-256 %s, media verified "
            "%s bytes with %s; download stopped",
            material.material_id, material.path, size, digest.hexdigest(), material.size,
            material.sha256,
        )  # fmt: skip
        raise MaterialChanged(material.material_id)


def zip_stream(
    plan: Plan,
    manifest: dict[str, Any],
    documents: Mapping[str, bytes],
    source: Sources,
    read: Callable[[str], Iterator[bytes]] = _read,
) -> ZipStream:
    """The package as a sized ZipStream (`len()` is the whole zip's size): the manifest first
    (known up front), the 汇总表 and the letter, then each material, read only when the stream
    reaches it."""
    zipped = ZipStream(compress_type=ZIP_STORED, sized=True)
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    zipped.add(body, MANIFEST)
    for name in (TABLE, LETTER):
        zipped.add(documents[name], name)
    for material in plan.materials:
        zipped.add(_checked(material, source, read), material.path, size=material.size)
    return zipped


def chunks(zipped: ZipStream, on_error: Callable[[BaseException], None]) -> Iterator[bytes]:
    """The zip's bytes for the HTTP answer; an error (a changed material, the bucket out of
    reach) is reported to `on_error` and raised again, so the server closes the connection
    short of the Content-Length (the answer has started: its status cannot change)."""
    try:
        yield from zipped
    except Exception as exc:
        on_error(exc)
        raise
