"""The handling units a case can be assigned to, and their names — read in one function.

The units are complaints' registry (`GET /v1/units` → {"items": [{"id", "name", "kind",
"active"}], "total"}): the pages never keep a list of their own. `KNOWN` names only the units
of the development sign-in's demo people, for the sign-in page, which has no token to ask with.
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
    "古花镇",
)  # the first twelve of make run's bureau (deploy/local/bureau.py), with the same ids
KNOWN = tuple(Unit(f"town-{n:02d}", name) for n, name in enumerate(TOWNS, start=1))


async def units(api: Api, token: str, *, active_only: bool = True) -> list[Unit]:
    """The registry's units (the active ones unless asked otherwise), in its order."""
    params = {"active": "true"} if active_only else {}
    body = await api.call("GET", "complaints", "/v1/units", token, params=params)
    return [
        Unit(id=u["id"], name=u["name"], kind=u["kind"], active=u["active"]) for u in body["items"]
    ]


def unit_names() -> dict[str, str]:
    """Unit id → name of the demo people's units (the sign-in page; no token to ask with)."""
    return {u.id: u.name for u in KNOWN}
