"""Events of the `screening-<submission id>` streams, owned by screening.

- `ScreeningCompleted`: the call's rules applied to an entry gave a new outcome (state,
  findings, priority). Appended only when that outcome changed, so the stream is the entry's
  screening history, not a log of every run.
- `ReviewRecorded`: staff settled the review items (审核) of an entry in review.
- `ReviewLapsed`: the entry was amended or withdrawn after a review, so that review no longer
  counts (`reason` says which).
- `SelectionRecorded`: the city's selection (遴选); intake acts on it (a selected entry cannot
  be withdrawn). `lapsed` marks the `not_selected` screening records by itself when an
  amendment voids an earlier selection (the amended entry must be reviewed and selected again)
  or a withdrawal intake accepted does (the office's withdrawal stands); `note` gives the
  reason, and the envelope's causation the intake event.
- `EntryRecommended`: the city recommends a selected entry to the province (推荐省级) with a
  rank (unique within the call) and a reason; a later one replaces it (new rank or reason).
- `entry_version` on a review, a selection and a recommendation: the version of intake's
  entry it was made on (None on events from before it was recorded; 0: screening did not know
  the version yet). Only a later change of the entry lapses it.
- `RecommendationWithdrawn`: staff withdrew the recommendation, or screening did (`lapsed`)
  because the selection it stood on lapsed or was reversed; `reason` says why.
"""

from marshmallow import Schema, fields, validate

from shared.catalog.vocabulary import REVIEW_DECISIONS, SCREENING_STATES, SELECTIONS
from shared.events import declare

STREAM_TYPE = "screening"
OUTCOMES = ("pass", "fail", "missing", "review", "priority")
NOTE = validate.Length(max=2000)


def stream_id(submission_id: str) -> str:
    return f"screening-{submission_id}"


class Finding(Schema):
    rule = fields.String(required=True)
    clause = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    message = fields.String(required=True)
    message_en = fields.String(load_default=None, allow_none=True)


class Completed(Schema):
    submission_id = fields.String(required=True)
    # `pending` only for a returned entry awaiting resubmission (its old result voided).
    state = fields.String(required=True, validate=validate.OneOf(SCREENING_STATES))
    ruleset = fields.String(required=True)
    findings = fields.List(fields.Nested(Finding), required=True)
    priority = fields.Boolean(required=True)
    window_closed = fields.Boolean(required=True)


ENTRY_VERSION = validate.Range(min=0)


class Review(Schema):
    submission_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(REVIEW_DECISIONS))
    note = fields.String(load_default="", validate=NOTE)
    entry_version = fields.Integer(load_default=None, allow_none=True, validate=ENTRY_VERSION)


class Lapse(Schema):
    submission_id = fields.String(required=True)
    reason = fields.String(required=True, validate=NOTE)


class Selection(Schema):
    submission_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(SELECTIONS))
    note = fields.String(load_default="", validate=NOTE)
    lapsed = fields.Boolean(load_default=False)
    entry_version = fields.Integer(load_default=None, allow_none=True, validate=ENTRY_VERSION)


ScreeningCompleted = declare("ScreeningCompleted", STREAM_TYPE, Completed)
ReviewRecorded = declare("ReviewRecorded", STREAM_TYPE, Review)
ReviewLapsed = declare("ReviewLapsed", STREAM_TYPE, Lapse)
SelectionRecorded = declare("SelectionRecorded", STREAM_TYPE, Selection)


class Recommendation(Schema):
    submission_id = fields.String(required=True)
    rank = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=NOTE)
    entry_version = fields.Integer(load_default=None, allow_none=True, validate=ENTRY_VERSION)


class RecommendationEnd(Schema):
    submission_id = fields.String(required=True)
    reason = fields.String(load_default="", validate=NOTE)
    lapsed = fields.Boolean(load_default=False)


EntryRecommended = declare("EntryRecommended", STREAM_TYPE, Recommendation)
RecommendationWithdrawn = declare("RecommendationWithdrawn", STREAM_TYPE, RecommendationEnd)
