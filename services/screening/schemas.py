"""Request bodies of screening's commands: strict (unknown fields and wrong JSON types are 422)
with Chinese messages, and the view of an entry's screening the API answers with."""

from __future__ import annotations

from marshmallow import validate

from shared.catalog.vocabulary import REVIEW_DECISIONS, SELECTIONS
from shared.fields import StrictSchema, Text, WholeNumber

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


class RecommendationBody(StrictSchema):
    """`POST /api/v1/screenings/{id}/recommendation`: the city recommends a selected entry to
    the province with its rank (unique within the call) and the reason."""

    rank = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=10000, error="须为 1 到 10000 之间的整数"),
    )
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=2000, error="须为 1 到 2000 个字"),
    )


class WithdrawalBody(StrictSchema):
    """`DELETE /api/v1/screenings/{id}/recommendation`: an optional reason."""

    reason = Text(load_default="", validate=NOTE)
