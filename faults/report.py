"""Counts per fault: what was accepted, stored, published and delivered, what came twice, what
never arrived. Every number comes from the requests' answers, the store, the topics as read
from offset 0, and the receiver's log."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from faults.harness import Hit, Load, Published, Receiver, Sent, TopicReader
from notify.domain.delivery import delivery_id
from notify.domain.model import Channel

CREATED = {"complaint": "ComplaintReceived", "incident": "IncidentRegistered"}


@dataclass
class Row:
    phase: str
    sent: int = 0
    accepted: int = 0
    s503: int = 0
    s503_no_retry_after: int = 0
    other_5xx: int = 0
    no_answer: int = 0
    stored: int = 0
    published: int = 0
    event_dups: int = 0
    lost: int = 0
    expected_notes: int = 0
    delivered: int = 0
    note_dups: int = 0
    resends: int = 0
    notes_missing: int = 0
    alerts_due: int = 0  # accepted back-dated cases: each must get its DeadlineOverdue
    alerts_missing: int = 0
    probes: int = 0  # readiness probes made during the fault, and those not answered 200
    probes_not_ready: int = 0
    # The city platform: district steps taken in the phase, and of them never taken by the
    # city, taken twice, or taken out of order (cases).
    steps: int = 0
    steps_lost: int = 0
    steps_twice: int = 0
    steps_disorder: int = 0
    lost_ids: list[str] = field(default_factory=list)


def expected_notifications(
    records: list[Published], phase_of: dict[str, str], duty: str, every: bool = False
) -> dict[tuple[str, str], str]:
    """(channel, key) → phase of the entity, for every message the default rules must send the
    duty officer: IncidentRegistered → SMS + the group's WeCom robot, DeadlineOverdue → SMS.
    With `every`, also the SMS any other event of those entities would make (to attribute
    whatever arrives)."""
    out: dict[tuple[str, str], str] = {}
    person = f"person:{duty}"
    for r in records:
        phase = phase_of.get(r.subject)
        if phase is None:
            continue
        if every or r.type in ("IncidentRegistered", "DeadlineOverdue"):
            out[("sms", delivery_id(r.ce_id, person, Channel.SMS))] = phase
        if r.type == "IncidentRegistered":
            out[("wecom", r.subject)] = phase
    return out


INCIDENT_ID = re.compile(r"inc-[0-9a-f]{20}")


def hit_key(h: Hit) -> tuple[str, str]:
    """What identifies one message: the SMS's Idempotency-Key (the delivery id), the incident
    a robot message is about (its text names it)."""
    if h.channel == "wecom":
        m = INCIDENT_ID.search(h.key)
        return ("wecom", m.group(0) if m else h.key)
    return (h.channel, h.key)


def build(
    phases: list[str],
    sent: list[Sent],
    stored: set[str],
    records: list[Published],
    hits: list[Hit],
    duty: str,
) -> list[Row]:
    rows = {p: Row(p) for p in phases}
    accepted = _count_answers(rows, sent)
    _count_events(rows, phases, accepted, stored, records)
    _count_notifications(rows, accepted, records, hits, duty)
    return list(rows.values())


def _count_answers(rows: dict[str, Row], sent: list[Sent]) -> dict[str, Sent]:
    """What the intake answered, per phase; returns the accepted requests by entity id."""
    accepted: dict[str, Sent] = {}
    for s in sent:
        row = rows[s.phase]
        row.sent += not s.retry
        if s.status in (200, 201) and s.entity_id:
            row.accepted += not s.retry or s.entity_id not in accepted
            accepted.setdefault(s.entity_id, s)
        elif s.status == 503:
            row.s503 += 1
            row.s503_no_retry_after += not s.retry_after
        elif s.status >= 500:
            row.other_5xx += 1
        elif s.status == 0:
            row.no_answer += 1
    return accepted


def _count_events(
    rows: dict[str, Row],
    phases: list[str],
    accepted: dict[str, Sent],
    stored: set[str],
    records: list[Published],
) -> None:
    """Accepted requests stored and published (else lost), and repeated events."""
    created = {(r.subject, r.type) for r in records}
    backdated = {s.ref for s in accepted.values() if s.backdated}
    for eid, s in accepted.items():
        row = rows[s.phase]
        in_store = eid in stored
        in_topic = (eid, CREATED[s.kind]) in created
        row.stored += in_store
        row.published += in_topic
        if not (in_store and in_topic):
            row.lost += 1
            row.lost_ids.append(eid)
        if s.kind == "complaint" and s.ref in backdated:
            row.alerts_due += 1
            row.alerts_missing += (eid, "DeadlineOverdue") not in created
    first: dict[str, str] = {}  # a repeat counts against the phase of the first copy
    for r in records:
        if r.ce_id in first:
            rows[first[r.ce_id]].event_dups += 1
        else:
            first[r.ce_id] = r.phase if r.phase in rows else phases[0]


def _count_notifications(
    rows: dict[str, Row],
    accepted: dict[str, Sent],
    records: list[Published],
    hits: list[Hit],
    duty: str,
) -> None:
    """Messages delivered, repeated and missing, against the phase of the event behind them."""
    phase_of = {eid: s.phase for eid, s in accepted.items()}
    expected = expected_notifications(records, phase_of, duty)
    origin = expected_notifications(records, phase_of, duty, every=True)
    got: Counter[tuple[str, str]] = Counter()
    texts: dict[str, tuple[str, str]] = {}  # SMS number and text → the first key that sent it
    for h in hits:
        key = hit_key(h)
        got[key] += 1
        row = rows.get(origin.get(key, h.phase))
        if row is None:
            continue
        if got[key] > 1:  # the same SMS key again (the gateway drops it) or a robot repeat
            if h.channel == "sms":
                row.resends += 1
            else:
                row.note_dups += 1
        elif h.channel == "sms" and texts.setdefault(h.text, key) != key:
            row.note_dups += 1  # the same words to the same number under another key
        else:
            row.delivered += 1
    for key, phase in expected.items():
        rows[phase].expected_notes += 1
        rows[phase].notes_missing += got[key] == 0


COLUMNS = [
    ("fault", "phase"),
    ("sent", "sent"),
    ("accepted", "accepted"),
    ("503", "s503"),
    ("503 w/o RA", "s503_no_retry_after"),
    ("5xx !503", "other_5xx"),
    ("no answer", "no_answer"),
    ("stored", "stored"),
    ("published", "published"),
    ("dup events", "event_dups"),
    ("lost", "lost"),
    ("msgs due", "expected_notes"),
    ("delivered", "delivered"),
    ("msgs twice", "note_dups"),
    ("SMS resent", "resends"),
    ("msgs missing", "notes_missing"),
    ("alerts due", "alerts_due"),
    ("alerts missing", "alerts_missing"),
    ("probes", "probes"),
    ("probes !200", "probes_not_ready"),
    ("city steps", "steps"),
    ("steps lost", "steps_lost"),
    ("steps twice", "steps_twice"),
    ("out of order", "steps_disorder"),
]


def table(rows: list[Row]) -> str:
    cells = [[h for h, _ in COLUMNS]]
    for r in rows:
        cells.append([str(getattr(r, a)) for _, a in COLUMNS])
    total = ["total"] + [str(sum(int(getattr(r, a)) for r in rows)) for _, a in COLUMNS[1:]]
    cells.append(total)
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = []
    for i, c in enumerate(cells):
        pairs = enumerate(zip(c, widths, strict=True))
        lines.append("  ".join(v.rjust(w) if j else v.ljust(w) for j, (v, w) in pairs))
        if i == 0 or i == len(cells) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def failures(
    rows: list[Row], strict: bool = False, broker_only: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """What makes the suite fail: anything accepted and lost, an outbox entry published twice,
    a message delivered twice or never, a 5xx that is not a 503 with Retry-After, a back-dated
    case never alerted, a readiness probe not 200; in the `broker_only` phases (only the
    broker is down) any intake request not accepted; with `strict`, also an SMS sent again
    under its Idempotency-Key (which the gateway drops)."""
    out = []
    for r in rows:
        refused = r.sent - r.accepted if r.phase in broker_only else 0
        for what, n in (
            ("intake requests not accepted while only the broker was down", refused),
            ("readiness probes not 200", r.probes_not_ready),
            ("back-dated cases never alerted (DeadlineOverdue)", r.alerts_missing),
            ("SMS sent again under the same Idempotency-Key", r.resends if strict else 0),
            ("accepted and lost", r.lost),
            ("events published twice", r.event_dups),
            ("notifications delivered twice", r.note_dups),
            ("notifications never delivered", r.notes_missing),
            ("5xx other than 503", r.other_5xx),
            ("503 without Retry-After", r.s503_no_retry_after),
            ("district steps the city platform never took", r.steps_lost),
            ("district steps the city platform took twice", r.steps_twice),
            ("cases whose steps reached the city platform out of order", r.steps_disorder),
        ):
            if n:
                ids = f" e.g. {r.lost_ids[:5]}" if what.startswith("accepted") else ""
                out.append(f"{r.phase}: {n} {what}{ids}")
    return out


def evidence(
    load: Load, reader: TopicReader, receiver: Receiver, problems: list[str]
) -> dict[str, object]:
    """What a failure needs for its diagnosis: the repeated event ids and messages, the
    answers that were neither accepted nor a 503."""
    repeated = {i: n for i, n in reader.by_id.items() if n > 1}
    hits: dict[str, int] = {}
    for h in receiver.hits:
        k = "/".join(hit_key(h))
        hits[k] = hits.get(k, 0) + 1
    odd = [vars(s) for s in load.sent if s.status >= 500 and s.status != 503]
    no_answer: dict[str, list[dict[str, object]]] = {}
    for s in load.sent:
        if s.status == 0:
            no_answer.setdefault(f"{s.phase}/{s.error}", []).append(vars(s))
    return {
        "problems": problems,
        "events_published_more_than_once": {
            i: [vars(r) for r in reader.records if r.ce_id == i] for i in list(repeated)[:50]
        },
        "messages_received_more_than_once": {k: n for k, n in hits.items() if n > 1},
        "answers_5xx_other_than_503": odd[:50],
        "no_answer": {k: {"count": len(v), "first": v[:10]} for k, v in no_answer.items()},
    }
