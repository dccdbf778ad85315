import uuid

import pytest
from marshmallow import ValidationError

from shared.events import envelope
from tests.events_for_tests import thing


def stored_form(**overrides):  # type: ignore[no-untyped-def]
    raw = envelope.dump(thing(7).with_position(3))
    raw["version"] = 1
    raw.update(overrides)
    return raw


def test_an_envelope_survives_a_round_trip():
    event = thing(7).with_position(3)
    loaded = envelope.load(envelope.dump(event) | {"version": 1})
    assert loaded.event_id == event.event_id
    assert loaded.data == {"n": 7, "label": "#7"}
    assert loaded.position == 3
    assert loaded.routing_key == "thing.ThingHappened"


def test_an_old_schema_version_is_upcast_when_read():
    loaded = envelope.load(stored_form(schema_version=1, data={"n": 5}))
    assert loaded.schema_version == 2
    assert loaded.data == {"n": 5, "label": "#5"}


def test_a_schema_version_newer_than_the_code_is_refused():
    with pytest.raises(ValidationError, match="newer"):
        envelope.load(stored_form(schema_version=3))


def test_an_unknown_event_type_is_refused():
    with pytest.raises(ValidationError, match="unknown event type"):
        envelope.load(stored_form(type="NoSuchThing"))


def test_data_that_breaks_the_event_schema_is_refused():
    with pytest.raises(ValidationError):
        envelope.load(stored_form(data={"n": "seven", "label": "x"}))


def test_a_stream_type_that_does_not_match_the_event_type_is_refused():
    with pytest.raises(ValidationError, match="does not match"):
        envelope.load(stored_form(stream_type="submission"))


def test_new_events_are_their_own_correlation_by_default():
    event = thing(1)
    assert event.correlation_id == event.event_id
    caused = thing(2, causation_id=event.event_id, correlation_id=event.correlation_id)
    assert caused.correlation_id == event.event_id
    assert isinstance(caused.event_id, uuid.UUID) and caused.event_id != event.event_id
