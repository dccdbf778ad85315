"""The vocabulary is declared once (`shared.catalog.vocabulary`): every service's table of
categories, material kinds and states is that one, in the same order."""

from __future__ import annotations

from typing import get_args

from marshmallow import validate

from services.intake.domain import entry as intake_entry
from services.intake.domain import submission
from services.media.domain import material
from services.reporting.domain import projection
from services.screening.domain.rulesets import CLAUSES, RULESETS
from services.screening.domain.screening import State
from shared.catalog import media as media_catalog
from shared.catalog import screening as screening_catalog
from shared.catalog import vocabulary as v


def test_every_code_has_a_chinese_label_in_the_notices_order() -> None:
    assert v.CATEGORIES == ("achievement", "promotion", "challenge", "finance")
    assert v.MATERIAL_KINDS == ("promo_video", "introduction", "proof")
    assert (
        "draft",
        "submitted",
        *v.SCREENED_STATES,
        "returned",
        "withdrawn",
        "selected",
    ) == v.STATES
    for table in (v.CATEGORY_LABELS, v.MATERIAL_KIND_LABELS, v.MATERIAL_STATUS_LABELS,
                  v.STATE_LABELS, v.SELECTION_LABELS, v.SUBMISSION_STATUS_LABELS):  # fmt: skip
        assert all(label and not label.isascii() for label in table.values())


def test_the_services_use_the_one_vocabulary() -> None:
    assert intake_entry.CATEGORIES is v.CATEGORIES
    assert tuple(RULESETS) == tuple(CLAUSES) == v.CATEGORIES
    assert submission.STATUS_NAMES is v.SUBMISSION_STATUS_LABELS
    assert material.KIND_NAMES is v.MATERIAL_KIND_LABELS
    assert set(media_catalog.MATERIAL_STATUS.values()) == set(v.MATERIAL_STATUSES)
    assert get_args(State) == v.SCREENED_STATES
    assert projection.SCREENED is v.SCREENED_STATES


def test_the_events_accept_exactly_the_vocabulary() -> None:
    def choices(schema: type, name: str) -> tuple[str, ...]:
        (one_of,) = [x for x in schema._declared_fields[name].validators
                     if isinstance(x, validate.OneOf)]  # fmt: skip
        return tuple(one_of.choices)

    assert choices(media_catalog.Requested, "kind") == v.MATERIAL_KINDS
    # `pending`: a returned entry awaiting resubmission (its old result voided)
    assert choices(screening_catalog.Completed, "state") == v.SCREENING_STATES
    assert choices(screening_catalog.Review, "decision") == v.REVIEW_DECISIONS
    assert choices(screening_catalog.Selection, "decision") == v.SELECTIONS
