"""What the unit tests import by name; the `make_delivery` builder is in ../conftest.py,
shared with the integration tests."""

from collections.abc import Callable
from datetime import UTC, datetime

from notify.domain.delivery import Delivery

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai; the builder's default time
MakeDelivery = Callable[..., Delivery]
