"""Checking a downloaded province package (推荐省级材料包) against its own manifest: every
file the manifest lists is there with its size and SHA-256, and nothing else is."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


@dataclass
class Checked:
    manifest: dict[str, Any]
    files: int = 0
    material_bytes: int = 0
    wrong: list[str] = field(default_factory=list)  # listed, but another size or digest
    missing: list[str] = field(default_factory=list)  # listed, not in the zip
    extra: list[str] = field(default_factory=list)  # in the zip, not listed

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.missing or self.extra)


def check(path: Path) -> Checked:
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read(MANIFEST))
        checked = Checked(manifest)
        names = set(z.namelist()) - {MANIFEST}
        for item in manifest["files"]:
            name = item["path"]
            if name not in names:
                checked.missing.append(name)
                continue
            names.discard(name)
            digest, size = hashlib.sha256(), 0
            with z.open(name) as member:
                while chunk := member.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
            if (size, digest.hexdigest()) != (item["size"], item["sha256"]):
                checked.wrong.append(name)
            checked.files += 1
            if "material_id" in item:
                checked.material_bytes += size
        checked.extra = sorted(names)
    return checked
