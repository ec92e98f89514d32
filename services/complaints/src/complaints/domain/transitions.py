"""The state machine and role table, as data: who may do what, from which states.

Admins may do every supervisor action (to unstick a case) but never act for a unit: signing,
returning, asking for time and replying are the unit's own acts and only the unit that holds
the case may do them. The public may only submit (through the bureau's own web form and app).
"""

from __future__ import annotations

from complaints.domain.errors import Forbidden, InvalidTransition
from complaints.domain.model import Action, Actor, Channel, Role, Status
from complaints.domain.policy import Stage

R, S = Role, Status

ALLOWED_ROLES: dict[Action, frozenset[Role]] = {
    Action.RECEIVE: frozenset({R.OPERATOR, R.INTEGRATION, R.PUBLIC, R.SUPERVISOR, R.ADMIN}),
    Action.ASSIGN: frozenset({R.OPERATOR, R.INTEGRATION, R.SUPERVISOR, R.ADMIN}),
    Action.ACCEPT: frozenset({R.UNIT_HANDLER}),
    Action.RETURN: frozenset({R.UNIT_HANDLER}),
    Action.REQUEST_EXTENSION: frozenset({R.UNIT_HANDLER}),
    # The city centre decides the extensions of its own work orders (延期 审核).
    Action.APPROVE_EXTENSION: frozenset({R.INTEGRATION, R.SUPERVISOR, R.ADMIN}),
    Action.REJECT_EXTENSION: frozenset({R.INTEGRATION, R.SUPERVISOR, R.ADMIN}),
    Action.REPLY: frozenset({R.UNIT_HANDLER}),
    # The city 12345 platform reviews and closes its own work orders, and runs the 回访 calls.
    Action.CLOSE: frozenset({R.INTEGRATION, R.SUPERVISOR, R.ADMIN}),
    Action.FOLLOW_UP: frozenset({R.OPERATOR, R.INTEGRATION, R.SUPERVISOR, R.ADMIN}),
    Action.REOPEN: frozenset({R.INTEGRATION, R.SUPERVISOR, R.ADMIN}),
    # 并单: the hotline operator attaches a repeat call to the case that exists.
    Action.MERGE: frozenset({R.OPERATOR, R.SUPERVISOR, R.ADMIN}),
    Action.RAISE_ALERT: frozenset({R.SYSTEM}),
    # 督办 by the bureau: its supervisors (and admins) press the unit holding the case.
    Action.BUREAU_SUPERVISE: frozenset({R.SUPERVISOR, R.ADMIN}),
    Action.URGE: frozenset({R.INTEGRATION}),
    Action.SUPERVISE: frozenset({R.INTEGRATION}),
    Action.WITHDRAW: frozenset({R.INTEGRATION}),
    Action.REDISPATCH: frozenset({R.INTEGRATION}),
}

# The platform's own acts on its work orders (its API; never the generic action endpoint).
PLATFORM_ACTIONS: frozenset[Action] = frozenset(
    {Action.URGE, Action.SUPERVISE, Action.WITHDRAW, Action.REDISPATCH}
)

# Actions only the unit currently holding the case may take.
UNIT_BOUND: frozenset[Action] = frozenset(
    {Action.ACCEPT, Action.RETURN, Action.REQUEST_EXTENSION, Action.REPLY}
)

AWAITING_ASSIGNMENT = frozenset({S.RECEIVED, S.RETURNED})
OPEN = frozenset({S.RECEIVED, S.RETURNED, S.ASSIGNED, S.ACCEPTED, S.REPLIED})
_UNANSWERED = frozenset({S.RECEIVED, S.RETURNED, S.ASSIGNED, S.ACCEPTED})

# While which states each stage's obligation is still to be met (its clock runs).
STAGE_OPEN_WHILE: dict[Stage, frozenset[Status]] = {
    Stage.ASSIGN: AWAITING_ASSIGNMENT,
    Stage.ACCEPT: frozenset({S.ASSIGNED}),
    Stage.REPLY: AWAITING_ASSIGNMENT | {S.ASSIGNED, S.ACCEPTED},
    Stage.CLOSE: OPEN,
}

ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.ASSIGN: AWAITING_ASSIGNMENT,
    Action.ACCEPT: frozenset({S.ASSIGNED}),
    # A unit may bounce a case before or after signing, as long as the return window is open.
    Action.RETURN: frozenset({S.ASSIGNED, S.ACCEPTED}),
    Action.REQUEST_EXTENSION: frozenset({S.ACCEPTED}),
    Action.APPROVE_EXTENSION: frozenset({S.ACCEPTED}),
    Action.REJECT_EXTENSION: frozenset({S.ACCEPTED}),
    Action.REPLY: frozenset({S.ACCEPTED}),
    # ACCEPTED -> CLOSED only for anonymous cases (no reply duty); the aggregate checks that.
    Action.CLOSE: frozenset({S.REPLIED, S.ACCEPTED}),
    Action.FOLLOW_UP: frozenset({S.CLOSED}),
    Action.REOPEN: frozenset({S.FOLLOWED_UP}),
    # Only before anyone answered: merging a replied case would hide an answer already given.
    Action.MERGE: frozenset({S.RECEIVED, S.RETURNED, S.ASSIGNED, S.ACCEPTED}),
    Action.RAISE_ALERT: OPEN,
    # The bureau's 督办 presses a unit that holds the case and still owes the answer: not
    # before assignment (nobody to press: assign it), not once replied, closed or ended.
    Action.BUREAU_SUPERVISE: frozenset({S.ASSIGNED, S.ACCEPTED}),
    # 催办/督办 while the district still owes the answer (not once it replied).
    Action.URGE: _UNANSWERED,
    Action.SUPERVISE: _UNANSWERED,
    # 撤单 while the case is open; 改派 while nobody has answered yet.
    Action.WITHDRAW: OPEN,
    Action.REDISPATCH: _UNANSWERED,
}

# Which channels each submitting role may use.
INTAKE_CHANNELS: dict[Role, frozenset[Channel]] = {
    R.OPERATOR: frozenset(Channel),
    R.SUPERVISOR: frozenset(Channel),
    R.ADMIN: frozenset(Channel),
    R.INTEGRATION: frozenset({Channel.HOTLINE_12345, Channel.PLATFORM_12369}),
    R.PUBLIC: frozenset({Channel.WEB, Channel.APP}),
}


def check_role(actor: Actor, action: Action, holding_unit: str | None = None) -> None:
    """Raise Forbidden unless the actor's role (and unit, for unit acts) may do ``action``."""
    if actor.role not in ALLOWED_ROLES[action]:
        raise Forbidden(actor.role, action)
    if action in UNIT_BOUND and (holding_unit is None or actor.unit_id != holding_unit):
        raise Forbidden(actor.role, action, "the case is not held by the actor's unit")


def check_state(status: Status, action: Action) -> None:
    """Raise InvalidTransition unless ``action`` is possible from ``status``."""
    if status not in ALLOWED_FROM[action]:
        raise InvalidTransition(status, action)


def check(actor: Actor, action: Action, status: Status, holding_unit: str | None) -> None:
    """Role first (no state leaks to a caller who may not act at all), then state."""
    check_role(actor, action, holding_unit)
    check_state(status, action)


def may(actor: Actor, action: Action, status: Status, holding_unit: str | None) -> bool:
    """Whether ``check`` would let ``actor`` do ``action`` now (for lists that offer it)."""
    try:
        check(actor, action, status, holding_unit)
    except (Forbidden, InvalidTransition):
        return False
    return True


def check_intake(actor: Actor, channel: Channel) -> None:
    """Raise Forbidden unless the actor may submit on ``channel``."""
    check_role(actor, Action.RECEIVE)
    if channel not in INTAKE_CHANNELS.get(actor.role, frozenset()):
        raise Forbidden(actor.role, Action.RECEIVE, f"channel {channel.value} not allowed")
