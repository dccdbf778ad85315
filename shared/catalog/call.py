"""Events of the `call-<call id>` streams, owned by intake: what the city decides about a call
as a whole rather than about one entry.

- `ExtensionGranted`: a late exception (逾期补交): staff give one district, or one entry, more
  time than the call's close, with a reason. `district` is always the district's name (for an
  entry's extension, the entry's district), so a reader can tell whose it is without asking
  intake; `submission_id` is null for a district's extension. Intake (submit, amend), media
  (new upload slots) and screening (completeness at the close) read the entry's close as the
  latest of the call's close and the extensions that cover it (`shared.calls.extended`).
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "call"


def stream_id(call_id: str) -> str:
    return f"call-{call_id}"


class Extension(Schema):
    extension_id = fields.String(required=True)
    call_id = fields.String(required=True)
    district = fields.String(required=True)
    submission_id = fields.String(load_default=None, allow_none=True)
    until = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


ExtensionGranted = declare("ExtensionGranted", STREAM_TYPE, Extension)
