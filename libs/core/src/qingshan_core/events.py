"""Event envelope: CloudEvents attributes as Kafka headers, protobuf payload, aggregate key.

Binary content mode of the CloudEvents Kafka binding: `ce_*` headers carry the attributes,
`content-type` the payload format, and the record value is the serialized protobuf message.
The type is the protobuf message's full name (e.g. `qingshan.complaints.v1.ComplaintReceived`),
so a consumer can decode any event whose generated module it has imported.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"
TOPIC_TEMPLATE = "qingshan.{service}.v1"

Headers = Sequence[tuple[str, bytes]]


class EnvelopeError(ValueError):
    """A record that is not a well-formed qingshan event (missing header, unknown type)."""


def service_topic(service: str) -> str:
    """The one topic a service produces to."""
    return TOPIC_TEMPLATE.format(service=service)


def dead_letter_topic(group_id: str) -> str:
    """The dead-letter topic beside a consumer group."""
    return f"{group_id}.dlt"


def new_trace_id() -> str:
    """A W3C trace id (32 lowercase hex characters)."""
    return secrets.token_hex(16)


def timestamp(at: datetime) -> Timestamp:
    """An instant as a protobuf Timestamp (every event's and message's `…_at`)."""
    out = Timestamp()
    out.FromDatetime(at)
    return out


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event as it travels: attributes plus the serialized payload."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: bytes
    trace_id: str
    content_type: str = CONTENT_TYPE
    extra_headers: tuple[tuple[str, bytes], ...] = field(default=())

    @classmethod
    def wrap(
        cls,
        message: Message,
        *,
        source: str,
        subject: str,
        trace_id: str | None = None,
        event_id: str | None = None,
        time: datetime | None = None,
    ) -> Envelope:
        """Envelope a protobuf message; the subject is the aggregate id (and the Kafka key)."""
        return cls(
            id=event_id or str(uuid.uuid4()),
            source=source,
            type=message.DESCRIPTOR.full_name,
            subject=subject,
            time=time or datetime.now(UTC),
            data=message.SerializeToString(deterministic=True),
            trace_id=trace_id or new_trace_id(),
        )

    @property
    def key(self) -> bytes:
        return self.subject.encode()

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers in CloudEvents binary mode, plus the trace context."""
        span = secrets.token_hex(8)
        return [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_time", self.time.astimezone(UTC).isoformat().encode()),
            ("ce_traceparent", f"00-{self.trace_id}-{span}-01".encode()),
            ("content-type", self.content_type.encode()),
            *self.extra_headers,
        ]

    @classmethod
    def from_record(cls, headers: Headers, value: bytes | None) -> Envelope:
        """Rebuild an envelope from a consumed record; EnvelopeError when it is not one."""
        h: dict[str, bytes] = {}
        extra: list[tuple[str, bytes]] = []
        for k, v in headers or ():
            if k.startswith("ce_") or k == "content-type":
                h[k] = v or b""
            else:
                extra.append((k, v or b""))
        missing = [k for k in ("ce_id", "ce_source", "ce_type", "ce_time") if k not in h]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        try:
            time = datetime.fromisoformat(h["ce_time"].decode())
        except ValueError as exc:
            raise EnvelopeError(f"bad ce_time: {exc}") from exc
        trace = h.get("ce_traceparent", b"").decode().split("-")
        return cls(
            id=h["ce_id"].decode(),
            source=h["ce_source"].decode(),
            type=h["ce_type"].decode(),
            subject=h.get("ce_subject", b"").decode(),
            time=time,
            data=value or b"",
            trace_id=trace[1] if len(trace) == 4 else new_trace_id(),
            content_type=h.get("content-type", CONTENT_TYPE.encode()).decode(),
            extra_headers=tuple(extra),
        )

    def decode(self) -> Message:
        """The payload as its protobuf message; the generated module must be imported."""
        try:
            desc = descriptor_pool.Default().FindMessageTypeByName(self.type)
        except KeyError as exc:
            raise EnvelopeError(f"unknown event type {self.type!r}") from exc
        msg: Message = message_factory.GetMessageClass(desc)()
        try:
            msg.ParseFromString(self.data)
        except DecodeError as exc:
            raise EnvelopeError(f"payload is not a valid {self.type}: {exc}") from exc
        return msg

    def to_outbox(self, topic: str) -> dict[str, Any]:
        """The document form kept in an aggregate's pending outbox."""
        return {
            "id": self.id,
            "topic": topic,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "trace_id": self.trace_id,
            "data": self.data,
        }

    @classmethod
    def from_outbox(cls, entry: dict[str, Any]) -> Envelope:
        t: datetime = entry["time"]  # aware: the core's client reads instants so
        return cls(
            id=entry["id"],
            source=entry["source"],
            type=entry["type"],
            subject=entry["subject"],
            time=t,
            data=bytes(entry["data"]),
            trace_id=entry["trace_id"],
        )
