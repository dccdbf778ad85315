"""Events of the `match-<challenge id>-<offer id>` and `duplicate-<id>-<id>` streams, owned by
matching.

- `MatchDecided`: staff settled a suggested match between a challenge (科技难题, the need) and
  an offer (an achievement, promotion or finance product): `confirmed` (对接成功) or
  `dismissed`. A later decision on the same pair replaces the earlier one.
- `DuplicateSuspected`: matching found two handed-in entries alike enough to be one entry
  handed in twice (疑似重复申报), with their titles and districts so a reader can name the
  other entry; `DuplicateCleared`: the pair is no longer alike (edited apart, or one withdrawn).
  Screening raises its `review` finding 疑似重复申报 from these.
- `DuplicateMarked`: staff settled a suspected pair of entries handed in twice (疑似重复申报):
  `duplicate_of` (`submission_id` is a copy of `other_id`) or `not_duplicate`. A later
  decision on the same pair (the ids in either order) replaces the earlier one.

Matching's relay publishes them all; screening consumes the `duplicate` streams (its finding
on each entry of a pair). No one reads `match` streams yet (`shared.topology.UNREAD`): they are
published without `mandatory`, and stay in matching's store as the record of who decided what.
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "match"
DECISIONS = ("confirmed", "dismissed")


def stream_id(challenge_id: str, offer_id: str) -> str:
    return f"match-{challenge_id}-{offer_id}"


class Decided(Schema):
    challenge_id = fields.String(required=True)
    offer_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


MatchDecided = declare("MatchDecided", STREAM_TYPE, Decided)

DUPLICATE_STREAM_TYPE = "duplicate"
DUPLICATE_DECISIONS = ("duplicate_of", "not_duplicate")


def duplicate_stream_id(a: str, b: str) -> str:
    """One stream per pair, whichever way round it is named."""
    first, second = sorted((a, b))
    return f"duplicate-{first}-{second}"


class Marked(Schema):
    submission_id = fields.String(required=True)
    other_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DUPLICATE_DECISIONS))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


DuplicateMarked = declare("DuplicateMarked", DUPLICATE_STREAM_TYPE, Marked)


class Suspected(Schema):
    submission_id = fields.String(required=True)
    other_id = fields.String(required=True)
    similarity = fields.Float(required=True)
    title = fields.String(required=True)
    district = fields.String(required=True)
    other_title = fields.String(required=True)
    other_district = fields.String(required=True)


class Cleared(Schema):
    submission_id = fields.String(required=True)
    other_id = fields.String(required=True)


DuplicateSuspected = declare("DuplicateSuspected", DUPLICATE_STREAM_TYPE, Suspected)
DuplicateCleared = declare("DuplicateCleared", DUPLICATE_STREAM_TYPE, Cleared)
