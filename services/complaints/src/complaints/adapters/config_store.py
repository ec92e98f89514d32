"""Administrator-maintained data: deadline policies (versioned) and the calendar overrides.

Both are read into memory and refreshed after a change here and periodically (for replicas).
A case snapshots the policy it was received under, so a change never moves existing deadlines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from complaints.adapters.documents import policy_doc, policy_from
from complaints.domain.model import Category, Channel, Urgency
from complaints.domain.policy import DeadlinePolicy, PolicyRule, PolicyTable, default_policy_table
from qingshan_core.workdays import WorkCalendar

POLICIES = "deadline_policies"
OVERRIDES = "calendar_overrides"
SETTINGS = "calendar_settings"


def rule_key(channel: Channel | None, category: Category | None, urgency: Urgency | None) -> str:
    """A rule's selectors as a document id: '*' stands for any."""
    return "|".join(s.value if s else "*" for s in (channel, category, urgency))


class PolicyStore:
    """The effective policy table: the shipped defaults with the administrators' rules on top."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.coll = db[POLICIES]
        self.table = default_policy_table()

    async def load(self) -> PolicyTable:
        table = default_policy_table()
        async for doc in self.coll.find({}):
            table = table.with_rule(_rule_from(doc))
        self.table = table
        return table

    async def put(
        self,
        channel: Channel | None,
        category: Category | None,
        urgency: Urgency | None,
        policy: DeadlinePolicy,
        by: str,
    ) -> DeadlinePolicy:
        """Store a new version of the rule for these selectors; the old one goes to history."""
        key = rule_key(channel, category, urgency)
        current = next((r for r in self.table.rules if r.key == (channel, category, urgency)), None)
        version = (current.policy.version + 1) if current else 1
        stored = DeadlinePolicy(
            policy.id,
            version,
            policy.assign,
            policy.accept,
            policy.reply,
            policy.close,
            policy.extension_max,
            policy.return_window,
        )
        update: dict[str, Any] = {
            "$set": {
                "channel": channel.value if channel else None,
                "category": category.value if category else None,
                "urgency": urgency.value if urgency else None,
                "policy": policy_doc(stored),
                "updated_by": by,
                "updated_at": datetime.now(UTC),
            }
        }
        if current:
            update["$push"] = {"previous": policy_doc(current.policy)}
        await self.coll.update_one({"_id": key}, update, upsert=True)
        await self.load()
        return stored

    async def history(self, key: str) -> list[dict[str, Any]]:
        doc = await self.coll.find_one({"_id": key})
        return [] if doc is None else [*doc.get("previous", []), doc["policy"]]


def _rule_from(doc: dict[str, Any]) -> PolicyRule:
    return PolicyRule(
        policy_from(doc["policy"]),
        channel=Channel(doc["channel"]) if doc.get("channel") else None,
        category=Category(doc["category"]) if doc.get("category") else None,
        urgency=Urgency(doc["urgency"]) if doc.get("urgency") else None,
    )


class CalendarStore:
    """The override table (day -> workday?) and the years an administrator confirmed."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.overrides = db[OVERRIDES]
        self.settings = db[SETTINGS]
        self.calendar = WorkCalendar()

    async def load(self) -> WorkCalendar:
        table = {
            date.fromisoformat(d["_id"]): bool(d["workday"]) async for d in self.overrides.find({})
        }
        conf = await self.settings.find_one({"_id": "confirmed_years"})
        years = conf.get("years", []) if conf else []
        self.calendar = WorkCalendar(table, confirmed_years=years)
        return self.calendar

    async def set_day(self, day: date, workday: bool, note: str, by: str) -> None:
        await self.overrides.update_one(
            {"_id": day.isoformat()},
            {"$set": {"workday": workday, "note": note, "by": by, "at": datetime.now(UTC)}},
            upsert=True,
        )
        await self.load()

    async def confirm_year(self, year: int, by: str) -> None:
        await self.settings.update_one(
            {"_id": "confirmed_years"},
            {"$addToSet": {"years": year}, "$set": {"by": by}},
            upsert=True,
        )
        await self.load()

    async def list_days(self) -> list[dict[str, Any]]:
        return await self.overrides.find({}).sort("_id", 1).to_list()
