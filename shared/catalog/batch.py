"""Events of the `batch-<batch id>` streams, owned by intake: a district's batch (汇总报送).

- `BatchSent`: a district office handed its submitted entries of a call to the city. `manifest`
  is what was frozen (the call, the district, the time, each entry's id, title, category and
  stream version, and every stored material's id, filename, size and SHA-256; the entries left
  out and why), and `sha256` the SHA-256 of its canonical JSON (sorted keys, UTF-8, no spaces;
  `services.intake.domain.manifest`), the digest printed on the 报送函 and answered by
  `GET /api/v1/batches/{id}/verify`. `number` counts the district's batches of the call (第N批):
  a later one is a supplement. Reporting keeps per entry the latest batch that included it and
  marks the entry when it changed after that (`changed_after_batch`).
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "batch"


def stream_id(batch_id: str) -> str:
    return f"batch-{batch_id}"


class Sent(Schema):
    batch_id = fields.String(required=True)
    number = fields.Integer(required=True, validate=validate.Range(min=1))
    call_id = fields.String(required=True)
    district = fields.String(required=True)
    manifest = fields.Dict(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp("^[0-9a-f]{64}$"))


BatchSent = declare("BatchSent", STREAM_TYPE, Sent)
