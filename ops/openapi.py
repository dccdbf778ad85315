"""The whole API as one OpenAPI 3 document, assembled above the services from what each
contributes (`services/<svc>/openapi.py`, `add_paths`), in the order of the tags.

No service imports another, so none of them can build this document: it is written to a file
when the stack is built (the Dockerfile) or started (deploy/local/services-up.sh), and intake
serves that file at `GET /api/v1/openapi.json` (`KECHUANG_API_DOCUMENT`, see shared/config.py).

    python -m ops.openapi PATH      # write the document to PATH (default: the setting's path)
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from services.intake import openapi as intake
from services.media import openapi as media
from services.reporting import openapi as reporting
from services.screening import openapi as screening
from shared import config
from shared.openapi import AddPaths, build, serialize

PARTS: tuple[AddPaths, ...] = (
    intake.add_paths,
    media.add_paths,
    screening.add_paths,
    reporting.add_paths,
)


@functools.cache
def spec() -> dict[str, Any]:
    """The whole API: every service's paths (built once per process)."""
    return build(PARTS)


@functools.cache
def document() -> str:
    """The document as written and served."""
    return serialize(spec())


def write(path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(document(), encoding="utf-8")
    return target


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else config.load().api_document)
