"""Event types used only by the tests of the backbone (stream type `thing`)."""

from typing import Any

from marshmallow import Schema, fields

from shared.events import declare, upcaster


class ThingHappenedData(Schema):
    n = fields.Integer(required=True, strict=True)
    label = fields.String(required=True)


thing_happened = declare("ThingHappened", "thing", ThingHappenedData, schema_version=2)


@upcaster("ThingHappened", from_version=1)
def _label_added(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no label; version 2 names it after the number."""
    return {**data, "label": f"#{data['n']}"}


def thing(n: int, stream_id: str = "thing-1", **kwargs: Any):  # type: ignore[no-untyped-def]
    from shared.events import new_event

    return new_event(thing_happened, stream_id, {"n": n, "label": f"#{n}"}, **kwargs)
