"""Events of the `screening-<submission id>` streams, owned by screening.

Only what other services already act on is declared here so far: the city's selection
(遴选), which intake needs to refuse a withdrawal. Screening's own results join them with the
screening service.
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "screening"


def stream_id(submission_id: str) -> str:
    return f"screening-{submission_id}"


class Selection(Schema):
    submission_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(["selected", "not_selected"]))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


SelectionRecorded = declare("SelectionRecorded", STREAM_TYPE, Selection)
