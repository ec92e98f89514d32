"""The district's steps go back to the platform their order came from: queued by a consumer
of the service's own events (never by a request handler), sent by a dispatcher.

- Once per step: the queue is keyed by the step's idempotency key, which also travels as the
  request's Idempotency-Key, so a repeat after a lost answer is recognised by the platform.
- In order per case: only a case's first waiting step is ever sent; the next waits for it.
- While the platform is down, slow past the timeout, or answers 5xx/429, the step is tried
  again after an exponential backoff with jitter (at least what Retry-After asks); other cases
  are not held up.
- A refusal (4xx) is final: the step goes to the dead-letter topic with the platform's answer,
  an ops event (PlatformStepRefused, through the outbox) says someone must fix it, and the
  metric counts it. The case's later steps go on (the platform judges them).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message
from prometheus_client import Counter, Gauge

from complaints.adapters.platform_client import Answer, PlatformClient
from complaints.adapters.platform_mapping import PlatformConfig, step_body
from complaints.adapters.platform_queue import PlatformQueue, Waiting, heads
from complaints.domain.platform import step_key
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope
from qingshan_core.logging import get_logger

STEPS = Counter(
    "qingshan_complaints_platform_steps_total",
    "Steps sent back to the city platforms, by outcome",
    ["platform", "outcome"],
)
WAITING = Gauge("qingshan_complaints_platform_steps_waiting", "Steps waiting to go out")
log = get_logger(__name__)

DeadLetter = Callable[[Waiting, Answer], Awaitable[None]]
RaiseOnce = Callable[[str, Message, datetime], Awaitable[bool]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Backoff:
    """Exponential from `base` to `cap` seconds, jittered between half and all of it."""

    base: float = 2.0
    cap: float = 300.0

    def delay(self, attempts: int, retry_after: float | None, rnd: random.Random) -> float:
        full = min(self.cap, self.base * 2 ** min(attempts, 30))
        jittered = rnd.uniform(full / 2, full)
        return max(jittered, min(retry_after, self.cap)) if retry_after else jittered


class StepQueueHandler:
    """The consumer's handler: queue each PlatformStepQueued once and wake the dispatcher."""

    def __init__(self, queue: PlatformQueue, wake: Callable[[], None]) -> None:
        self.queue, self.wake = queue, wake

    async def __call__(self, env: Envelope, message: Message) -> None:
        assert isinstance(message, pb.PlatformStepQueued)
        key = step_key(message.complaint_id, message.seq, message.step)
        if await self.queue.enqueue(key, message, utc_now()):
            STEPS.labels(message.platform, "queued").inc()
        self.wake()


class Dispatcher:
    """Sends the waiting steps; run by every replica (claims keep them apart)."""

    def __init__(
        self,
        queue: PlatformQueue,
        client: PlatformClient,
        platforms: Mapping[str, PlatformConfig],
        dead_letter: DeadLetter,
        raise_once: RaiseOnce,
        *,
        backoff: Backoff = Backoff(),
        poll_seconds: float = 5.0,
        lease_seconds: float = 60.0,
        concurrency: int = 8,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.queue, self.client, self.platforms = queue, client, dict(platforms)
        self.dead_letter, self.raise_once = dead_letter, raise_once
        self.backoff, self.poll = backoff, poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.gate = asyncio.Semaphore(concurrency)
        self.clock = clock
        self.rnd = random.Random()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled; a store outage only pauses it."""
        while True:
            try:
                wait = await self.once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("platform_steps.round_failed", error=repr(exc))
                wait = self.poll
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                pass
            self._wake.clear()

    async def once(self) -> float:
        """One round: send every case's first step that is due; seconds until the next."""
        waiting = await self.queue.waiting()
        WAITING.set(len(waiting))
        now = self.clock()
        due: list[Waiting] = []
        later: list[Waiting] = []
        for w in heads(waiting):
            cfg = self.platforms.get(w.platform)
            if cfg is None or not cfg.connected:
                continue  # kept until the platform is configured
            (due if max(w.next_at, w.lease_until) <= now else later).append(w)
        if due:
            await asyncio.gather(*(self._send(w) for w in due))
            return 0.0  # a case's next step may be first now
        if later:
            soonest = min(max(w.next_at, w.lease_until) for w in later)
            return float(max(0.05, min(self.poll, (soonest - now).total_seconds())))
        return self.poll

    async def _send(self, w: Waiting) -> None:
        async with self.gate:
            if not await self.queue.claim(w, self.clock(), self.lease):
                return
            cfg = self.platforms[w.platform]
            answer = await self.client.send(
                cfg, w.message.order_number, step_body(cfg, w.message), w.key
            )
            now = self.clock()
            STEPS.labels(w.platform, answer.outcome).inc()
            if answer.outcome in ("delivered", "duplicate"):
                await self.queue.finish(w, answer.outcome, answer.status, answer.body, now)
                return
            if answer.outcome == "retry":
                delay = self.backoff.delay(w.attempts, answer.retry_after, self.rnd)
                await self.queue.later(w, now + timedelta(seconds=delay), answer.body)
                log.info(
                    "platform_steps.retry",
                    key=w.key,
                    status=answer.status,
                    attempts=w.attempts + 1,
                    delay=round(delay, 2),
                )
                return
            await self._refused(w, answer, now)

    async def _refused(self, w: Waiting, answer: Answer, now: datetime) -> None:
        await self.dead_letter(w, answer)
        msg = pb.PlatformStepRefused(
            subject=f"platform-step/{w.key}",
            complaint_id=w.complaint_id,
            platform=w.platform,
            order_number=w.message.order_number,
            seq=w.seq,
            step=w.message.step,
            http_status=answer.status,
            answer=answer.body,
        )
        msg.occurred_at.FromDatetime(now)
        await self.raise_once(msg.subject, msg, now)
        await self.queue.finish(w, "refused", answer.status, answer.body, now)
        log.error("platform_steps.refused", key=w.key, status=answer.status)
