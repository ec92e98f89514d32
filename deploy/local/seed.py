#!/usr/bin/env python3
"""Seeds the demonstration bureau (deploy/local/bureau.py) through the services' own REST APIs,
so every change is the services' own write and publishes its events: the unit registry in
complaints (notify's directory follows its events), notify's people, groups and bureau chain,
risk's enterprises, gradings and licences. Safe to repeat: what exists is left as it is (a unit
or person that differs is brought back to the demo's values).

    .venv/bin/python deploy/local/seed.py --base 8000 [--timeout 90]

`make run` runs it for the development profile only (deploy/local/services.py); the tokens are
signed with the development secret, which nothing outside development and test accepts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bureau  # sibling data module, imported after the path is set

from qingshan_core.auth import TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET


def _client(base: int, index: int, role: str = "admin") -> httpx.Client:
    secret = os.environ.get("QINGSHAN_JWT_SECRET", DEV_JWT_SECRET)
    token = TokenCodec(secret).issue("demo-seed", role)
    return httpx.Client(
        base_url=f"http://127.0.0.1:{base + index}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def _check(r: httpx.Response, *ok: int) -> httpx.Response:
    if r.status_code not in ok:
        raise SystemExit(f"seed: {r.request.method} {r.request.url} → {r.status_code} {r.text}")
    return r


def seed_units(c: httpx.Client) -> dict[str, int]:
    created = changed = 0
    for u in bureau.units():
        r = _check(c.post("/v1/units", json=u), 201, 409)
        if r.status_code == 201:
            created += 1
            continue
        stored = _check(c.get(f"/v1/units/{u['id']}"), 200).json()
        want = {k: u[k] for k in ("name", "head", "contacts")}
        if {k: stored[k] for k in want} != want and stored["active"]:
            _check(c.patch(f"/v1/units/{u['id']}", json=want), 200)
            changed += 1
    return {"created": created, "changed": changed, "total": len(bureau.units())}


def seed_directory(c: httpx.Client) -> dict[str, int]:
    created = 0
    for p in bureau.people():
        r = _check(c.post("/v1/recipients", json=p), 201, 409)
        if r.status_code == 201:
            created += 1
        else:
            _check(c.put(f"/v1/recipients/{p['id']}", json=p), 200)
    for gid, (name, members) in bureau.GROUPS.items():
        group = {"id": gid, "name": name, "members": members}
        if _check(c.put(f"/v1/groups/{gid}", json=group), 200, 404).status_code == 404:
            _check(c.post("/v1/groups", json=group), 201)
    _check(c.put("/v1/escalation-chains/*", json=bureau.BUREAU_CHAIN), 200)
    return {"people": len(bureau.people()), "created": created, "groups": len(bureau.GROUPS)}


def wait_for_registry(c: httpx.Client, timeout: float) -> int:
    """notify's directory follows complaints' unit events: wait until it holds every unit."""
    want = {u["id"] for u in bureau.units()}
    deadline = time.monotonic() + timeout
    while True:
        chains = _check(c.get("/v1/escalation-chains"), 200).json()
        have = {ch["unit"] for ch in chains if ch.get("source") == "registry"}
        if want <= have:
            return len(have)
        if time.monotonic() > deadline:
            raise SystemExit(f"seed: notify has {len(want & have)} of {len(want)} units")
        time.sleep(0.5)


def _medium(classes: tuple[str | None, ...]) -> dict[str, str]:
    return {k: v for k, v in zip(("q_class", "m_class", "e_class"), classes, strict=True) if v}


def seed_risk(c: httpx.Client) -> dict[str, int]:
    graded = 0
    for code, name, cluster, lon, lat, industry, air, water in bureau.ENTERPRISES:
        body: dict[str, Any] = {
            "name": name,
            "credit_code": code,
            "park_cluster": cluster,
            "location": {"lon": lon, "lat": lat},
            "industry": industry,
            "address": f"重庆市南川区（演示地址，{name}）",
        }
        _check(c.post("/v1/risk-sources", json=body), 201, 409)
        source = _check(c.get(f"/v1/risk-sources/{code}"), 200).json()
        if not source.get("grading"):
            grading = {"air": _medium(air), "water": _medium(water), "assessed_on": "2025-06-30"}
            _check(c.post(f"/v1/risk-sources/{code}/grading", json=grading), 200)
            graded += 1
    for lic in bureau.LICENCES:
        _check(c.post("/v1/licences", json=lic), 201, 409)
    points = _check(c.get("/v1/map.geojson"), 200).json().get("features", [])
    return {"enterprises": len(bureau.ENTERPRISES), "graded": graded, "points": len(points)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", type=int, default=8000, help="HTTP port base of the profile")
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = ap.parse_args()
    with _client(args.base, 1) as complaints, _client(args.base, 4) as notify:
        units = seed_units(complaints)
        directory = seed_directory(notify)
        directory["registry_units"] = wait_for_registry(notify, args.timeout)
    with _client(args.base, 3) as risk:
        risk_counts = seed_risk(risk)
    result = {"units": units, "directory": directory, "risk": risk_counts}
    print(json.dumps(result, ensure_ascii=False) if args.json else _summary(result))


def _summary(r: dict[str, dict[str, int]]) -> str:
    u, d, k = r["units"], r["directory"], r["risk"]
    return (
        f"  seeded     {u['total']} handling units (new {u['created']}), {d['people']} people "
        f"(new {d['created']}), {d['groups']} groups, the bureau chain; "
        f"{k['enterprises']} enterprises ({k['points']} map points), "
        f"{len(bureau.LICENCES)} licences"
    )


if __name__ == "__main__":
    main()
