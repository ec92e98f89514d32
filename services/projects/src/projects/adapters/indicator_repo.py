"""The indicator ledger in Mongo: one document per indicator, events through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pymongo.errors import DuplicateKeyError

from projects.adapters.event_codec import indicator_envelopes, indicator_subject
from projects.adapters.row_codec import Doc, money
from projects.domain.indicator_ledger import IndicatorLedger, LedgerEntry, Measurement
from projects.domain.indicators import (
    Baseline,
    Direction,
    Indicator,
    IndicatorKind,
    Target,
)
from projects.service_layer.ports import LoadedLedger, StaleAggregate
from qingshan_core.mongo import IndexSpec
from qingshan_core.outbox import VERSION, ConcurrencyConflict, OutboxCollection

COLLECTION = "indicators"
INDEXES = [IndexSpec(COLLECTION, [("no", 1)], unique=True)]


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else money(value)


def definition_to_doc(i: Indicator) -> Doc:
    return {
        "no": i.no,
        "category": i.category,
        "name": i.name,
        "unit": i.unit,
        "kind": i.kind.value,
        "baseline": {
            "text": i.baseline.text,
            "value": _opt(i.baseline.value),
            "cumulative": i.baseline.cumulative,
        },
        "target": {
            "text": i.target.text,
            "value": _opt(i.target.value),
            "comparator": i.target.comparator,
        },
        "direction": i.direction.value,
        "direction_basis": i.direction_basis,
        "note": i.note,
    }


def definition_from_doc(d: Doc) -> Indicator:
    b, t = d["baseline"], d["target"]
    return Indicator(
        no=int(d["no"]),
        category=d["category"],
        name=d["name"],
        unit=d["unit"],
        kind=IndicatorKind(d["kind"]),
        baseline=Baseline(b["text"], _dec(b["value"]), bool(b["cumulative"])),
        target=Target(t["text"], _dec(t["value"]), t["comparator"]),
        direction=Direction(d["direction"]),
        direction_basis=d["direction_basis"],
        note=d.get("note", ""),
    )


def _state(ledger: IndicatorLedger, no: int) -> Doc:
    values = [
        {"year": m.year, "value": money(m.value), "by": m.by, "at": m.at, "note": m.note}
        for (n, _), m in sorted(ledger.values.items(), key=lambda kv: kv[0][1])
        if n == no
    ]
    targets = [{"year": y, "target": money(t)} for (n, y), t in ledger.targets.items() if n == no]
    history = [
        {
            "at": h.at,
            "by": h.by,
            "action": h.action,
            "year": h.year,
            "before": h.before,
            "after": h.after,
        }
        for h in ledger.history
        if h.indicator_no == no
    ]
    return {"values": values, "targets": targets, "history": history}


class MongoIndicatorRepository:
    """IndicatorRepository over an outbox collection."""

    def __init__(self, outbox: OutboxCollection) -> None:
        self.outbox = outbox
        self.coll = outbox.collection

    async def load(self) -> LoadedLedger:
        docs = await self.coll.find({}, {"_outbox": 0}).sort("no", 1).to_list()
        ledger = IndicatorLedger(definition_from_doc(d["definition"]) for d in docs)
        versions: dict[int, int] = {}
        entries: list[LedgerEntry] = []
        for d in docs:
            no = int(d["no"])
            versions[no] = int(d[VERSION])
            for v in d["values"]:
                ledger.values[(no, int(v["year"]))] = Measurement(
                    int(v["year"]), Decimal(v["value"]), v["by"], v["at"], v.get("note", "")
                )
            for t in d["targets"]:
                ledger.targets[(no, t["year"])] = Decimal(t["target"])
            entries.extend(
                LedgerEntry(h["at"], h["by"], no, h["action"], h["year"], h["before"], h["after"])
                for h in d["history"]
            )
        ledger.history = sorted(entries, key=lambda e: e.at)
        return LoadedLedger(ledger, versions)

    async def save(self, loaded: LoadedLedger, no: int) -> None:
        ledger = loaded.ledger
        unit = ledger.indicators[no].unit
        events = indicator_envelopes(ledger.events, unit=unit, source=self.outbox.source)
        try:
            loaded.versions[no] = await self.outbox.update(
                indicator_subject(no), loaded.versions[no], _state(ledger, no), events
            )
        except ConcurrencyConflict as err:
            raise StaleAggregate(str(err)) from err
        ledger.events.clear()

    async def seed(self, indicators: Sequence[Indicator]) -> int:
        inserted = 0
        for ind in indicators:
            doc = {
                "_id": indicator_subject(ind.no),
                "no": ind.no,
                "definition": definition_to_doc(ind),
                "values": [],
                "targets": [],
                "history": [],
            }
            try:
                await self.outbox.insert(doc, [])
            except DuplicateKeyError:
                continue
            inserted += 1
        return inserted
