"""The handling units a case can be assigned to, and their names — read in one function.

Complaints accepts any unit id today, so until its unit registry (`GET /v1/units?active=true`
→ {"items": [{"id", "name", "kind", "active"}], "total"}) is on this branch, the list is the
district's towns and street offices kept here. When the registry lands, `units()` asks it
(the commented call below) and this table goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.api import Api


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str = "town"
    active: bool = True


TOWNS = (
    "东城街道",
    "南城街道",
    "西城街道",
    "三泉镇",
    "南平镇",
    "神童镇",
    "鸣玉镇",
    "大观镇",
    "兴隆镇",
    "太平场镇",
    "白沙镇",
    "水江镇",
)
KNOWN = tuple(Unit(f"town-{n:02d}", name) for n, name in enumerate(TOWNS, start=1))


async def units(api: Api, token: str) -> list[Unit]:
    """The active units, in the registry's order."""
    # With the registry: body = await api.call("GET", "complaints", "/v1/units", token,
    #     params={"active": "true"}); return [Unit(**u) for u in body["items"]]
    del api, token
    return [u for u in KNOWN if u.active]


def unit_names() -> dict[str, str]:
    """Unit id → name, for showing ids people do not read (header, lists, rates)."""
    return {u.id: u.name for u in KNOWN}
