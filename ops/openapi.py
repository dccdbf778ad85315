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

from services.identity import openapi as identity
from services.intake import openapi as intake
from services.matching import openapi as matching
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
    matching.add_paths,
    identity.add_paths,
)


# OpenAPI links between the parts' operations: what a client (and schemathesis's stateful
# phase) can do next with an answer: (operation, status) -> link name -> (target, parameters).
ENTRY_ID = {"path.submission_id": "$response.body#/id"}
MATERIAL_ID = {"path.material_id": "$response.body#/material_id"}
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("create_submission", "201"): {
        "GetSubmission": ("get_submission", ENTRY_ID),
        "PatchSubmission": (
            "patch_submission",
            {**ENTRY_ID, "header.If-Match": "$response.header.ETag"},
        ),
        "SubmitSubmission": ("submit_submission", ENTRY_ID),
        "WithdrawSubmission": ("withdraw_submission", ENTRY_ID),
        "SubmissionHistory": ("submission_history", ENTRY_ID),
        "RequestUploadSlot": ("request_upload_slot", ENTRY_ID),
        "GetScreening": ("get_screening", ENTRY_ID),
    },
    ("patch_submission", "200"): {
        "SubmitSubmission": ("submit_submission", ENTRY_ID),
        "RequestUploadSlot": ("request_upload_slot", ENTRY_ID),
    },
    ("submit_submission", "200"): {
        "GetScreening": ("get_screening", ENTRY_ID),
        "WithdrawSubmission": ("withdraw_submission", ENTRY_ID),
    },
    ("request_upload_slot", "201"): {
        "CompleteUpload": ("complete_upload", MATERIAL_ID),
        "ResumeUpload": ("resume_upload", MATERIAL_ID),
        "GetMaterial": ("get_material", MATERIAL_ID),
    },
    ("complete_upload", "202"): {"GetMaterial": ("get_material", MATERIAL_ID)},
}


def linked(document: dict[str, Any]) -> dict[str, Any]:
    """The document with LINKS added to the answers they start from."""
    by_id = {
        operation["operationId"]: operation
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for (source, status), links in LINKS.items():
        response = by_id[source]["responses"][status]
        for name, (target, parameters) in links.items():
            assert target in by_id, target
            response.setdefault("links", {})[name] = {
                "operationId": target,
                "parameters": parameters,
            }
    return document


@functools.cache
def spec() -> dict[str, Any]:
    """The whole API: every service's paths, linked (built once per process)."""
    return linked(build(PARTS))


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
