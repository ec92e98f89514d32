"""Delivery builders shared by the unit and integration tests."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from notify.domain.delivery import Delivery, delivery_id
from notify.domain.model import Channel, Priority, Status

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
MakeDelivery = Callable[..., Delivery]


@pytest.fixture
def make_delivery() -> MakeDelivery:
    def build(**kw: Any) -> Delivery:
        channel = kw.pop("channel", Channel.WECOM)
        recipient = kw.pop("recipient", "group:emergency-office")
        event_id = kw.pop("event_id", "ev-1")
        level = kw.pop("level", 0)
        values: dict[str, Any] = {
            "id": delivery_id(event_id, recipient, channel, level),
            "event_id": event_id,
            "event_type": "qingshan.risk.v1.IncidentReported",
            "rule_id": "r1",
            "recipient": recipient,
            "recipient_id": recipient.split(":", 1)[1],
            "recipient_name": "应急办",
            "channel": channel,
            "address": "https://example.invalid/hook",
            "priority": Priority.CRITICAL,
            "title": "t",
            "body": "b",
            "created_at": T0,
            "status": Status.PENDING,
            "next_attempt_at": T0,
            "level": level,
        }
        values.update(kw)
        return Delivery(**values)

    return build
