"""Request bodies of screening's commands: strict (unknown fields and wrong JSON types are 422)
with Chinese messages, and the view of an entry's screening the API answers with."""

from __future__ import annotations

from marshmallow import validate

from shared.catalog.vocabulary import REVIEW_DECISIONS, SELECTIONS
from shared.fields import StrictSchema, Text

NOTE = validate.Length(max=2000, error="最多 {max} 个字")


class ReviewBody(StrictSchema):
    """`POST /api/v1/screenings/{id}/review`: staff settle the review items."""

    decision = Text(
        required=True,
        validate=validate.OneOf(REVIEW_DECISIONS, error="须为 eligible 或 ineligible"),
    )
    note = Text(load_default="", validate=NOTE)


class SelectionBody(StrictSchema):
    """`POST /api/v1/screenings/{id}/selection`: the city's selection of an eligible entry."""

    decision = Text(
        required=True,
        validate=validate.OneOf(SELECTIONS, error="须为 selected 或 not_selected"),
    )
    note = Text(load_default="", validate=NOTE)
