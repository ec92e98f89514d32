"""The event types rules may name: what they carry (attributes) and sample data for templates.

The catalog itself is built from the contracts by an adapter; two pseudo types belong to notify
itself: direct notifications and digests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from notify.domain.routing import Attrs

DIRECT = "notify.direct"
DIGEST = "notify.digest"
PSEUDO_TYPES = (DIRECT, DIGEST)


@dataclass(frozen=True, slots=True)
class EventType:
    """One event type: its protobuf full name, attribute names and sample template data."""

    name: str
    service: str
    attributes: tuple[str, ...] = ()
    sample: Mapping[str, Any] = field(default_factory=dict)
    sample_attrs: Attrs = field(default_factory=dict)

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


_DIRECT_SAMPLE: dict[str, Any] = {"title": "示例通知", "body": "这是一条示例通知。"}
_DIGEST_SAMPLE: dict[str, Any] = {
    "period": "daily",
    "count": 2,
    "items": [
        {
            "title": "许可证即将到期",
            "body": "示例正文一",
            "event_type": "x",
            "at": "2025-01-01 09:00",
        },
        {
            "title": "应急预案复核临近",
            "body": "示例正文二",
            "event_type": "y",
            "at": "2025-01-01 10:00",
        },
    ],
}


def pseudo_types() -> list[EventType]:
    return [
        EventType(DIRECT, "notify", ("title",), _DIRECT_SAMPLE, {}),
        EventType(DIGEST, "notify", ("period",), _DIGEST_SAMPLE, {}),
    ]


class EventCatalog:
    """Event types by full name."""

    def __init__(self, types: Iterable[EventType]) -> None:
        self._types = {t.name: t for t in [*types, *pseudo_types()]}

    def get(self, name: str) -> EventType | None:
        return self._types.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def routable(self) -> list[EventType]:
        """Types rules may name (every contract event; not notify's own pseudo types)."""
        return sorted(
            (t for t in self._types.values() if t.name not in PSEUDO_TYPES), key=lambda t: t.name
        )

    def names(self) -> list[str]:
        return sorted(self._types)
