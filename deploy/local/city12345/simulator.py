#!/usr/bin/env python3
"""A city 12345 platform simulator: a real HTTP server (Starlette + uvicorn) that dispatches
work orders to the district's complaints service, takes the district's steps back (signed with
HMAC-SHA256, checked here independently of qingshan's own code), keeps its own view of every
order (city_orders.py), and sends 催办/督办, extension decisions, 回访 results, 撤单 and 改派.

    .venv/bin/python deploy/local/city12345/simulator.py --port 8090 \
        --complaints http://127.0.0.1:8001 --token "$(make -s token ROLE=integration)"

The platform's API (what qingshan calls): POST /orders/{工单号}/steps. The control API (for a
developer or a test; no auth, 127.0.0.1 only): POST /_sim/orders (dispatch one),
GET /_sim/orders[/{no}], POST /_sim/orders/{no}/{urge|supervise|follow-up|extension-decision|
withdraw|redispatch}, PUT /_sim/faults (slowness, 503s, dropped connections, refusals).
Tests import it and drive `Simulator` directly; stopping its server makes the platform "down".
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import sys
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Sibling modules (the simulator runs as a script and is loaded by path in tests).
from city_orders import CityBook, Order, Refused
from city_wire import DEV_KEYS, DropMiddleware, Dropped, Faults, parse_keys, verify

BEIJING = timezone(timedelta(hours=8))


class Simulator:
    """The city platform: its book of orders, its API, and its calls to the district."""

    def __init__(
        self, complaints_url: str, token: str | Callable[[], str], keys: str = DEV_KEYS
    ) -> None:
        """`token`: a bearer token of role integration, or a function minting a fresh one
        for every call (the services refuse tokens living longer than an hour)."""
        self.book = CityBook()
        self.faults = Faults()
        self.keys = parse_keys(keys)
        self.nonces: set[str] = set()
        self.requests: list[dict[str, Any]] = []  # every step request that reached us
        self.complaints_url, self.token = complaints_url.rstrip("/"), token
        self.app = Starlette(routes=self._routes())
        self.app.add_middleware(DropMiddleware)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    # --- running ---------------------------------------------------------------------------

    async def start(self, port: int, host: str = "127.0.0.1") -> None:
        """Serve on `port` (again after `stop`: the same book, the platform came back)."""
        self.port = port
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task  # raises what stopped it (port taken …)
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """The platform goes down: connections are refused until `start` again."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- the platform's API ----------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/orders/{number}/steps", self._step, methods=["POST"]),
            Route("/_sim/orders", self._dispatch_route, methods=["POST"]),
            Route("/_sim/orders", self._list, methods=["GET"]),
            Route("/_sim/orders/{number}", self._one, methods=["GET"]),
            Route("/_sim/orders/{number}/{act}", self._act_route, methods=["POST"]),
            Route("/_sim/faults", self._faults_route, methods=["PUT", "GET"]),
        ]

    async def _step(self, request: Request) -> Response:
        body = await request.body()
        number = request.path_params["number"]
        key = request.headers.get("idempotency-key", "")
        f = self.faults
        try:
            verify(request, body, self.keys, self.nonces)
            data = json.loads(body)
            self.requests.append({"number": number, "key": key, "body": data})
            if f.slow_seconds:
                await asyncio.sleep(f.slow_seconds)
            if f.fail_next > 0:
                f.fail_next -= 1
                return JSONResponse(
                    {"code": "BUSY", "message": "平台繁忙，请稍后重试"},
                    f.fail_status,
                    headers={"Retry-After": str(f.retry_after)},
                )
            step = str(data.get("办理环节", ""))
            self.book.get(number)  # an unknown order is 404 before anything else
            if step in f.refuse:
                raise Refused(f.refuse[step], "STEP_REFUSED", f"平台拒收{step}：不符合对接规范")
            if not key:
                raise Refused(400, "KEY_REQUIRED", "缺少 Idempotency-Key")
            if data.get("工单号") != number:
                raise Refused(400, "ORDER_MISMATCH", "工单号与地址不符")
            answer = self.book.take_step(number, key, data)
        except Refused as exc:
            return JSONResponse(exc.body, exc.status)
        except ValueError:
            return JSONResponse({"code": "BAD_JSON", "message": "请求体不是JSON"}, 400)
        if f.drop_next > 0:
            f.drop_next -= 1
            raise Dropped
        return JSONResponse(answer)

    async def _list(self, _: Request) -> Response:
        return JSONResponse([o.view() for o in self.book.orders.values()])

    async def _one(self, request: Request) -> Response:
        try:
            return JSONResponse(self.book.get(request.path_params["number"]).view())
        except Refused as exc:
            return JSONResponse(exc.body, exc.status)

    async def _faults_route(self, request: Request) -> Response:
        if request.method == "PUT":
            self.faults = Faults(**await request.json())
        return JSONResponse(self.faults.__dict__)

    async def _dispatch_route(self, request: Request) -> Response:
        data = await request.json()
        r = await self.dispatch(**data)
        return JSONResponse(r.json(), r.status_code)

    async def _act_route(self, request: Request) -> Response:
        data = await request.json() if await request.body() else {}
        number, act = request.path_params["number"], request.path_params["act"]
        calls = {
            "urge": lambda: self.urge(number, **data),
            "supervise": lambda: self.urge(number, supervise=True, **data),
            "follow-up": lambda: self.follow_up(number, **data),
            "extension-decision": lambda: self.decide_extension(number, **data),
            "withdraw": lambda: self.withdraw(number, **data),
            "redispatch": lambda: self.redispatch(number, **data),
        }
        if act not in calls:
            return JSONResponse({"message": f"unknown act {act}"}, 404)
        try:
            r = await calls[act]()
        except Refused as exc:
            return JSONResponse(exc.body, exc.status)
        return JSONResponse(r.json(), r.status_code)

    # --- the city's calls to the district --------------------------------------------------

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        token = self.token() if callable(self.token) else self.token
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(timeout=30) as c:
            return await c.post(f"{self.complaints_url}{path}", json=body, headers=headers)

    def _order_path(self, number: str, act: str) -> str:
        return f"/v1/platforms/12345/orders/{number}/{act}"

    async def dispatch(
        self,
        number: str | None = None,
        category: str = "noise",
        description: str = "夜间施工噪声扰民",
        address: str = "南川区东城街道金山路18号",
        town: str = "东城街道",
        name: str = "张三",
        phone: str = "13812345678",
        days: int = 5,
    ) -> httpx.Response:
        """派单: file a work order with the district (as the platform's service account)."""
        number = number or f"GD{datetime.now(BEIJING):%Y%m%d}{uuid.uuid4().hex[:6].upper()}"
        now = datetime.now(BEIJING)
        self.book.dispatch(
            Order(number, category, description, address, now, now + timedelta(days=days))
        )
        body = {
            "channel": "12345",
            "external_id": number,
            "category": category,
            "description": description,
            "location": {"address": address, "town": town},
            "complainant": {"name": name, "phone": phone},
        }
        return await self._post("/v1/complaints", body)

    async def _city_act(
        self, number: str, change: Any, act: str, body: dict[str, Any]
    ) -> httpx.Response:
        """The city decides (its book checks and changes), then tells the district; when the
        district does not take it, the city's book goes back to what it was."""
        before = copy.deepcopy(self.book.get(number))
        change()
        r = await self._post(self._order_path(number, act), {"request_id": _rid(), **body})
        if r.status_code >= 300:
            self.book.orders[number] = before
        return r

    async def urge(self, number: str, supervise: bool = False, note: str = "") -> httpx.Response:
        act = "supervise" if supervise else "urge"
        return await self._city_act(
            number, lambda: self.book.urge(number, supervise), act, {"note": note}
        )

    async def follow_up(self, number: str, satisfaction: str, note: str = "") -> httpx.Response:
        body = {"satisfaction": satisfaction, "note": note}
        return await self._city_act(
            number, lambda: self.book.visit(number, satisfaction), "follow-up", body
        )

    async def decide_extension(
        self, number: str, approved: bool, reason: str = ""
    ) -> httpx.Response:
        return await self._city_act(
            number,
            lambda: self.book.decide_extension(number, approved),
            "extension-decision",
            {"approved": approved, "reason": reason},
        )

    async def withdraw(self, number: str, reason: str = "市民撤回诉求") -> httpx.Response:
        return await self._city_act(
            number, lambda: self.book.withdraw(number), "withdraw", {"reason": reason}
        )

    async def redispatch(self, number: str, unit_id: str, reason: str = "") -> httpx.Response:
        return await self._city_act(
            number,
            lambda: self.book.redispatch(number, unit_id),
            "redispatch",
            {"unit_id": unit_id, "reason": reason},
        )


def _rid() -> str:
    return f"REQ-{uuid.uuid4().hex}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--complaints", default="http://127.0.0.1:8001")
    ap.add_argument("--token", default="", help="a bearer token of role integration")
    ap.add_argument("--keys", default=DEV_KEYS, help="kid:secret,... shared with qingshan")
    ap.add_argument(
        "--mint-token",
        action="store_true",
        help="sign integration tokens with QINGSHAN_JWT_SECRET or the development secret "
        "(HS256 development tokens: complaints accepts them in development and test only), "
        "a fresh short-lived one for every call",
    )
    args = ap.parse_args()
    token: str | Callable[[], str] = args.token
    if args.mint_token and not token:
        from qingshan_core.auth import TokenCodec
        from qingshan_core.settings import DEV_JWT_SECRET

        codec = TokenCodec(os.environ.get("QINGSHAN_JWT_SECRET", DEV_JWT_SECRET))
        token = partial(codec.issue, "city-12345", "integration", ttl=timedelta(minutes=10))
    sim = Simulator(args.complaints, token, args.keys)
    config = uvicorn.Config(sim.app, host="127.0.0.1", port=args.port, log_level="info")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
