"""Protobuf events as notify sees them: template data, routing attributes, the catalog of
event types (from the generated contracts) and sample data for checking templates."""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from notify.domain.catalog import EventCatalog, EventType
from notify.domain.model import SHANGHAI
from notify.domain.routing import Attrs
from notify.service_layer.ports import IncomingEvent
from qingshan_core.events import Envelope
from qingshan_core.logging import get_logger

log = get_logger(__name__)

CONTRACT_SERVICES = ("complaints", "risk", "projects")
TIMESTAMP = "google.protobuf.Timestamp"
DURATION = "google.protobuf.Duration"
MAX_DEPTH = 4


def _local(seconds: int, nanos: int, tz: str) -> str:
    if not seconds and not nanos:
        return ""
    at = datetime.fromtimestamp(seconds + nanos / 1e9, tz=UTC)
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0 and seconds:
        return f"{seconds // 86400}天"
    if seconds % 3600 == 0 and seconds:
        return f"{seconds // 3600}小时"
    return f"{seconds // 60}分钟"


def _value(field: Any, value: Any, tz: str) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        name = field.message_type.full_name
        if name == TIMESTAMP:
            return _local(value.seconds, value.nanos, tz)
        if name == DURATION:
            return _duration(value.seconds) if value.seconds else ""
        return message_data(value, tz)
    if field.type == FieldDescriptor.TYPE_ENUM:
        return (
            field.enum_type.values_by_number[value].name
            if value in field.enum_type.values_by_number
            else value
        )
    if field.type == FieldDescriptor.TYPE_BYTES:
        return value.hex()
    return value


def message_data(msg: Message, tz: str = SHANGHAI) -> dict[str, Any]:
    """Every field by its proto name (unset ones with their defaults, so templates can rely on
    them); instants as local "YYYY-MM-DD HH:MM", empty when unset."""
    out: dict[str, Any] = {}
    for f in msg.DESCRIPTOR.fields:
        v = getattr(msg, f.name)
        out[f.name] = [_value(f, x, tz) for x in v] if f.is_repeated else _value(f, v, tz)
    return out


def _leaves(data: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, tuple[str, ...]]]:
    for k, v in data.items():
        path = f"{prefix}{k}"
        items = v if isinstance(v, list) else [v]
        if items and all(isinstance(i, dict) for i in items):
            merged: dict[str, list[str]] = defaultdict(list)
            for i in items:
                for sub, vals in _leaves(i, f"{path}."):
                    merged[sub].extend(vals)
            yield from ((s, tuple(vs)) for s, vs in merged.items())
        elif not items or not any(isinstance(i, dict) for i in items):
            yield path, tuple(_text(i) for i in items)


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def attributes(data: dict[str, Any]) -> Attrs:
    """Flattened attributes: dotted paths, plus each leaf name that is unambiguous."""
    paths = dict(_leaves(data))
    leaf_count: dict[str, int] = defaultdict(int)
    for p in paths:
        leaf_count[p.rsplit(".", 1)[-1]] += 1
    out = dict(paths)
    for p, v in paths.items():
        leaf = p.rsplit(".", 1)[-1]
        if "." in p and leaf_count[leaf] == 1 and leaf not in out:
            out[leaf] = v
    return out


def to_incoming(env: Envelope, message: Message, tz: str = SHANGHAI) -> IncomingEvent:
    data = message_data(message, tz)
    return IncomingEvent(
        id=env.id,
        type=env.type,
        source=env.source,
        subject=env.subject,
        time=env.time,
        trace_id=env.trace_id,
        data=data,
        attrs=attributes(data),
        raw=env.data,
    )


def _sample_value(field: Any, depth: int) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        name = field.message_type.full_name
        if name == TIMESTAMP:
            return "2025-01-01 09:00"
        if name == DURATION:
            return "2天"
        return sample_data(field.message_type, depth + 1)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return True
    if field.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
        return f"〈{field.name}〉"
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[0].name
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 1.5
    return 1


def sample_data(desc: Any, depth: int = 0) -> dict[str, Any]:
    """A value for every field (one element in lists) so StrictUndefined finds typos."""
    if depth > MAX_DEPTH:
        return {}
    out: dict[str, Any] = {}
    for f in desc.fields:
        v = _sample_value(f, depth)
        out[f.name] = [v] if f.is_repeated else v
    return out


def _event_messages(fd: Any) -> list[Any]:
    """Top-level messages of an events file that no other message there embeds (those are
    parts such as Deadlines or SubItemRef, not events)."""
    used = {
        f.message_type.full_name
        for m in fd.message_types_by_name.values()
        for f in m.fields
        if f.type == FieldDescriptor.TYPE_MESSAGE
    }
    return [m for m in fd.message_types_by_name.values() if m.full_name not in used]


def build_catalog(services: Iterable[str] = CONTRACT_SERVICES) -> EventCatalog:
    """Every event type of the generated contracts that can be imported now."""
    types: list[EventType] = []
    for svc in services:
        try:
            module = importlib.import_module(f"qingshan.{svc}.v1.events_pb2")
        except ImportError:
            log.warning("catalog.contract_missing", service=svc)
            continue
        for desc in _event_messages(module.DESCRIPTOR):
            sample = sample_data(desc)
            attrs = attributes(sample)
            types.append(EventType(desc.full_name, svc, tuple(sorted(attrs)), sample, attrs))
    return EventCatalog(types)
