"""Events of the `submission-<id>` streams, owned by intake.

Each event that changes an entry's content carries the entry's full fields after the change, so
consumers (screening, reporting) never have to re-implement how a change is merged.
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "submission"


def stream_id(submission_id: str) -> str:
    return f"submission-{submission_id}"


class Drafted(Schema):
    submission_id = fields.String(required=True)
    district = fields.String(required=True)
    call_id = fields.String(required=True)
    category = fields.String(required=True)
    fields_ = fields.Dict(required=True, data_key="fields")


class Updated(Schema):
    submission_id = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)
    fields_ = fields.Dict(required=True, data_key="fields")


class Submitted(Schema):
    submission_id = fields.String(required=True)
    call_id = fields.String(required=True)


class Withdrawn(Schema):
    submission_id = fields.String(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class Returned(Schema):
    """Staff returned a submitted entry for revision (退回修改): why, what to look at (field
    paths or the notice's clauses), and until when the office may edit and submit it again."""

    submission_id = fields.String(required=True)
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    fields_ = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        data_key="fields",
        validate=validate.Length(max=100),
    )
    due = fields.AwareDateTime(required=True)


class OfficerAssigned(Schema):
    submission_id = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True)


SubmissionDrafted = declare("SubmissionDrafted", STREAM_TYPE, Drafted)
SubmissionUpdated = declare("SubmissionUpdated", STREAM_TYPE, Updated)
SubmissionSubmitted = declare("SubmissionSubmitted", STREAM_TYPE, Submitted)
SubmissionWithdrawn = declare("SubmissionWithdrawn", STREAM_TYPE, Withdrawn)
SubmissionReturned = declare("SubmissionReturned", STREAM_TYPE, Returned)
ServiceOfficerAssigned = declare("ServiceOfficerAssigned", STREAM_TYPE, OfficerAssigned)
# The office proposes its own 保姆 (the notice promises one for every project); staff confirm
# it by assigning (`ServiceOfficerAssigned`), which settles the proposal.
ServiceOfficerProposed = declare("ServiceOfficerProposed", STREAM_TYPE, OfficerAssigned)
