"""The event envelope, and the registry where every event type is declared once.

An event is immutable. When the shape of an event's `data` changes, its type gets a new
`schema_version` and an *upcaster* that turns the old shape into the new one; stored rows are
never edited. Everything that reads events (the store, consumers, catch-up) goes through
`EnvelopeSchema`, so old events always reach domain code in their current shape.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from shared.correlation import correlation

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class EventType:
    """One declared event type: its name, stream type, current schema version, data schema."""

    name: str
    stream_type: str
    schema_version: int
    data_schema: type[Schema]
    upcasters: dict[int, Upcaster] = field(default_factory=dict)

    @property
    def routing_key(self) -> str:
        return f"{self.stream_type}.{self.name}"

    def clean(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` validated by the type's schema, in its serialised form."""
        schema = _schema_instance(self.data_schema)
        return schema.dump(schema.load(data))  # type: ignore[no-any-return]


@functools.cache
def _schema_instance(schema: type[Schema]) -> Schema:
    # Building a schema deep-copies its fields; loading and dumping leave it unchanged.
    return schema()


_registry: dict[str, EventType] = {}


def declare(
    name: str, stream_type: str, data_schema: type[Schema], schema_version: int = 1
) -> EventType:
    """Declare an event type. Declaring the same name twice with another shape is an error."""
    existing = _registry.get(name)
    if existing is not None:
        if (existing.stream_type, existing.schema_version, existing.data_schema) != (
            stream_type,
            schema_version,
            data_schema,
        ):
            raise ValueError(f"event type {name!r} is already declared differently")
        return existing
    event_type = EventType(name, stream_type, schema_version, data_schema)
    _registry[name] = event_type
    return event_type


def upcaster(name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function turning `data` of `from_version` into `from_version + 1`."""

    def register(fn: Upcaster) -> Upcaster:
        lookup(name).upcasters[from_version] = fn
        return fn

    return register


def lookup(name: str) -> EventType:
    try:
        return _registry[name]
    except KeyError:
        raise ValidationError({"type": [f"unknown event type {name!r}"]}) from None


@dataclass(frozen=True)
class Actor:
    """Who did it: the role and district the token gave, and, when a person signed in with a
    password, the person (`person_id`, `person_name`; absent in events before accounts and in
    those of service accounts and the system)."""

    role: str
    subject: str
    district: str | None = None
    person_id: str | None = None
    person_name: str | None = None

    @classmethod
    def of(cls, principal: Any) -> Actor:
        """The actor a token's principal (`shared.auth.Principal`) acts as."""
        person = getattr(principal, "is_person", False)
        return cls(
            principal.role,
            principal.subject,
            principal.district,
            person_id=principal.subject if person else None,
            person_name=principal.name if person else None,
        )

    def stored(self) -> dict[str, Any]:
        """The stored and published shape: the person's keys only when there is a person, so
        events without one are written as they always were."""
        shape: dict[str, Any] = {"role": self.role, "subject": self.subject,
                                 "district": self.district}  # fmt: skip
        if self.person_id is not None:
            shape.update(person_id=self.person_id, person_name=self.person_name)
        return shape

    def label(self, office_label: str = "科协") -> str | None:
        """The person as histories and exports show them: 张三（巴州区科协）, 李四（市科协）;
        None when no person acted."""
        if self.person_name is None:
            return None
        where = f"{self.district}{office_label}" if self.district else "市科协"
        return f"{self.person_name}（{where}）"


SYSTEM = Actor(role="system", subject="kechuang")


@dataclass(frozen=True)
class Event:
    """An event as stored and published. `position` is None until the store sequences it."""

    event_id: uuid.UUID
    stream_id: str
    stream_type: str
    version: int
    type: str
    schema_version: int
    occurred_at: datetime
    actor: Actor
    data: dict[str, Any]
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    position: int | None = None

    @property
    def routing_key(self) -> str:
        return f"{self.stream_type}.{self.type}"

    def with_position(self, position: int) -> Event:
        return replace(self, position=position)


def new_event(
    event_type: EventType,
    stream_id: str,
    data: dict[str, Any],
    actor: Actor = SYSTEM,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Build a new event of a declared type; `data` is validated by the type's schema.

    The version is filled in by the store at append time (`version=0` until then).
    `occurred_at` is now unless given: a use case that decided on a time (media, judging a
    deadline) records that very time, so whoever judges the event later reads what it read.
    """
    dumped = event_type.clean(data)
    event_id = event_id or uuid.uuid4()
    return Event(
        event_id=event_id,
        stream_id=stream_id,
        stream_type=event_type.stream_type,
        version=0,
        type=event_type.name,
        schema_version=event_type.schema_version,
        occurred_at=occurred_at or datetime.now(UTC),
        actor=actor,
        data=dumped,
        # The request or event being handled, else the event starts a correlation of its own.
        correlation_id=correlation_id or correlation.get() or event_id,
        causation_id=causation_id,
    )


class ActorSchema(Schema):
    role = fields.String(required=True)
    subject = fields.String(required=True)
    district = fields.String(load_default=None, allow_none=True)
    person_id = fields.String(load_default=None, allow_none=True)
    person_name = fields.String(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Actor:
        return Actor(**data)


class EnvelopeSchema(Schema):
    """The wire and storage shape of every event. Loading upcasts `data` to the current
    schema version and validates it with the event type's own schema."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    stream_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    stream_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    position = fields.Integer(load_default=None, allow_none=True, strict=True)
    type = fields.String(required=True)
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    actor = fields.Nested(ActorSchema, required=True)
    correlation_id = fields.UUID(required=True)
    causation_id = fields.UUID(load_default=None, allow_none=True)
    data = fields.Dict(required=True)

    @post_load
    def make(self, raw: dict[str, Any], **_: Any) -> Event:
        event_type = lookup(raw["type"])
        if raw["stream_type"] != event_type.stream_type:
            raise ValidationError({"stream_type": ["does not match the event type"]})
        raw["data"] = current_data(event_type, raw["data"], raw["schema_version"])
        raw["schema_version"] = event_type.schema_version
        return Event(**raw)


def current_data(event_type: EventType, data: dict[str, Any], version: int) -> dict[str, Any]:
    """Stored `data` of schema `version` in the type's current shape, validated: what every
    reader of events gets (`EnvelopeSchema`, and readers of bare log pages)."""
    return event_type.clean(upcast(event_type, data, version)[0])


def upcast(event_type: EventType, data: dict[str, Any], version: int) -> tuple[dict[str, Any], int]:
    if version > event_type.schema_version:
        raise ValidationError({"schema_version": [f"newer than this code knows ({version})"]})
    while version < event_type.schema_version:
        step = event_type.upcasters.get(version)
        if step is None:
            raise ValidationError({"schema_version": [f"no upcaster from version {version}"]})
        data, version = step(dict(data)), version + 1
    return data, version


envelope = EnvelopeSchema()
