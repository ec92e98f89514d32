"""The city 12345 platform's own view of its work orders (the simulator's side of the loop).

The city keeps every order it dispatched with its status, and takes the district's steps only
in an order that makes sense: 签收 after 派单, 延期申请/回复 after 签收 (or in 重办), 办结 after
回复, 重办 after 办结. A step out of order is refused (409), a step it already took is
answered as done (the same Idempotency-Key), an unknown order is 404. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DISPATCHED, ACCEPTED, RETURNED = "已派单", "已签收", "已退单"
REPLIED, CLOSED, VISITED = "已回复", "已办结", "已回访"
REWORK, WITHDRAWN = "重办中", "已撤单"

# District step (its status code in the city's vocabulary) → the statuses it may follow.
ALLOWED: dict[str, frozenset[str]] = {
    "签收": frozenset({DISPATCHED}),
    "退单": frozenset({DISPATCHED, ACCEPTED}),
    "延期申请": frozenset({ACCEPTED, REWORK}),
    "回复": frozenset({ACCEPTED, REWORK}),
    "办结": frozenset({REPLIED}),
    "重办": frozenset({CLOSED, VISITED}),
}
AFTER = {"签收": ACCEPTED, "退单": RETURNED, "回复": REPLIED, "办结": CLOSED, "重办": REWORK}
# What the city's own acts need.
URGE_FROM = frozenset({DISPATCHED, ACCEPTED, REWORK})
VISIT_FROM = frozenset({CLOSED})
OPEN = frozenset({DISPATCHED, ACCEPTED, REPLIED, REWORK})


class Refused(Exception):
    """The city refuses the request: HTTP status and its answer."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.body = status, {"code": code, "message": message, **extra}


@dataclass
class Order:
    """One work order as the city holds it."""

    number: str
    category: str
    description: str
    address: str
    dispatched_at: datetime
    deadline: datetime
    status: str = DISPATCHED
    unit: str = ""
    result: str = ""
    substantiated: str = ""
    extension_days: int = 0  # asked for, waiting for the city's decision
    extended_days: int = 0  # granted
    urges: int = 0
    supervisions: int = 0
    satisfaction: str = ""  # of the current round (a 不满意 starts another)
    visits: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        return {
            "工单号": self.number,
            "状态": self.status,
            "承办单位": self.unit,
            "办理结果": self.result,
            "是否属实": self.substantiated,
            "待审延期天数": self.extension_days,
            "已批延期天数": self.extended_days,
            "办理时限": self.deadline.isoformat(),
            "催办次数": self.urges,
            "督办次数": self.supervisions,
            "满意度": self.satisfaction,
            "回访记录": list(self.visits),
            "环节": [dict(s) for s in self.steps],
        }


class CityBook:
    """Every order the city dispatched, and the idempotency keys of the steps it took."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.keys: dict[str, dict[str, Any]] = {}  # Idempotency-Key → the answer given

    def dispatch(self, order: Order) -> Order:
        self.orders.setdefault(order.number, order)
        return self.orders[order.number]

    def get(self, number: str) -> Order:
        order = self.orders.get(number)
        if order is None:
            raise Refused(404, "ORDER_NOT_FOUND", f"工单 {number} 不存在")
        return order

    def take_step(self, number: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply one district step; the same key again is answered as done."""
        if key in self.keys:
            return {**self.keys[key], "duplicate": True}
        order = self.get(number)
        step = str(body.get("办理环节", ""))
        if step not in ALLOWED:
            raise Refused(422, "STEP_UNKNOWN", f"未知的办理环节：{step}")
        if order.status not in ALLOWED[step]:
            raise Refused(
                409, "STEP_OUT_OF_ORDER", f"工单{order.status}，不能{step}", 状态=order.status
            )
        self._check(order, step, body)
        self._apply(order, step, body)
        order.steps.append({"序号": body.get("序号"), "办理环节": step, "key": key})
        answer = {"result": "ok", "duplicate": False, "状态": order.status}
        self.keys[key] = answer
        return answer

    @staticmethod
    def _check(order: Order, step: str, body: dict[str, Any]) -> None:
        if step in ("退单", "延期申请") and not str(body.get("原因", "")).strip():
            raise Refused(422, "REASON_REQUIRED", f"{step}须说明原因")
        if step == "延期申请":
            if order.extension_days:
                raise Refused(409, "EXTENSION_PENDING", "已有待审核的延期申请", 状态=order.status)
            if int(body.get("延期天数") or 0) <= 0:
                raise Refused(422, "EXTENSION_DAYS", "延期天数须大于0")
        if step == "回复" and not str(body.get("办理结果", "")).strip():
            raise Refused(422, "RESULT_REQUIRED", "回复须填写办理结果")

    @staticmethod
    def _apply(order: Order, step: str, body: dict[str, Any]) -> None:
        order.unit = str(body.get("承办单位") or order.unit)
        if step == "延期申请":
            order.extension_days = int(body["延期天数"])
            return
        order.status = AFTER[step]
        if step == "回复":
            order.result, order.extension_days = str(body["办理结果"]), 0
        elif step == "办结":
            order.substantiated = str(body.get("是否属实", ""))
        elif step == "重办":
            order.result, order.satisfaction = "", ""

    # --- the city's own acts (what the simulator sends to the district) ---------------------

    def urge(self, number: str, supervise: bool) -> Order:
        order = self.get(number)
        if order.status not in URGE_FROM:
            raise Refused(409, "NOT_URGEABLE", f"工单{order.status}，无需催办")
        if supervise:
            order.supervisions += 1
        else:
            order.urges += 1
        return order

    def visit(self, number: str, satisfaction: str) -> Order:
        order = self.get(number)
        if order.status not in VISIT_FROM:
            raise Refused(409, "NOT_CLOSED", f"工单{order.status}，尚未办结")
        order.visits.append(satisfaction)
        if satisfaction == "不满意":  # a new round: the district reworks it
            order.status, order.result, order.satisfaction = REWORK, "", ""
        else:
            order.status, order.satisfaction = VISITED, satisfaction
        return order

    def decide_extension(self, number: str, approved: bool) -> Order:
        order = self.get(number)
        if not order.extension_days:
            raise Refused(409, "NO_EXTENSION", "没有待审核的延期申请")
        if approved:
            order.extended_days += order.extension_days
            order.deadline += timedelta(days=order.extension_days)
        order.extension_days = 0
        return order

    def withdraw(self, number: str) -> Order:
        order = self.get(number)
        if order.status not in OPEN:
            raise Refused(409, "NOT_OPEN", f"工单{order.status}，不能撤单")
        order.status = WITHDRAWN
        return order

    def redispatch(self, number: str, unit: str) -> Order:
        order = self.get(number)
        if order.status not in (DISPATCHED, ACCEPTED, RETURNED):
            raise Refused(409, "NOT_REDISPATCHABLE", f"工单{order.status}，不能改派")
        order.status, order.unit = DISPATCHED, unit
        return order
