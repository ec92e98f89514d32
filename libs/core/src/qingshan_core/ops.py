"""Operational alerts (`qingshan.ops.v1.OpsAlert`): something about a service itself that an
administrator must look at -- an outbox entry the broker refused and that was quarantined, a
template that failed to render. Each is raised once per subject: an insert-if-absent document
in the service's `ops_alerts` collection carrying the event through the outbox (so it reaches
the service's topic when the broker can take it), a counter and a warning in the log."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Counter
from pymongo.errors import DuplicateKeyError

from qingshan.ops.v1.events_pb2 import OpsAlert
from qingshan_core.events import Envelope, timestamp
from qingshan_core.logging import get_logger
from qingshan_core.outbox import OutboxCollection

COLLECTION = "ops_alerts"
MAX_DETAIL = 2000
RAISED = Counter("qingshan_ops_alerts_total", "Operational alerts raised", ["kind"])
log = get_logger(__name__)


class OpsAlerts:
    """Raises a service's operational alerts, once per subject (`<kind>/<about>`)."""

    def __init__(self, outbox: OutboxCollection, service: str) -> None:
        self.outbox = outbox
        self.service = service
        self._raised: set[str] = set()  # known raised already (the store holds the truth)

    async def raise_once(
        self,
        kind: str,
        about: str,
        summary: str,
        detail: str = "",
        severity: str = "warning",
    ) -> bool:
        """Raise the alert unless one with this subject was raised before; True when now."""
        subject = f"{kind.replace('_', '-')}/{about}"
        if subject in self._raised:
            return False
        now = datetime.now(UTC)
        message = OpsAlert(
            subject=subject,
            occurred_at=timestamp(now),
            service=self.service,
            kind=kind,
            severity=severity,
            summary=summary,
            detail=detail[:MAX_DETAIL],
        )
        env = Envelope.wrap(message, source=self.outbox.source, subject=subject)
        doc = {"_id": subject, "type": env.type, "kind": kind, "raised_at": now}
        try:
            await self.outbox.insert({**doc, "summary": summary, "detail": message.detail}, [env])
        except DuplicateKeyError:
            self._remember(subject)
            return False
        self._remember(subject)
        RAISED.labels(kind).inc()
        log.warning("ops.alert", kind=kind, subject=subject, summary=summary)
        return True

    def _remember(self, subject: str) -> None:
        if len(self._raised) > 10_000:
            self._raised.clear()
        self._raised.add(subject)
