"""The complaints service's errors: subclasses of the one contract in qingshan_core.errors.

InvalidTransition answers 409 with the current state, Forbidden 403, RuleViolation 422 (with the
field when the rule names one), NotFound 404.
"""

from __future__ import annotations

from complaints.domain.model import Action, Role, Status
from qingshan_core import errors as core

# What an operator reads, by the domain's stable rule codes.
RULES_ZH = {
    "anonymous_no_follow_up": "匿名举报无法回访",
    "before_receipt": "操作时间不能早于受理时间",
    "deadline_passed": "已超过办理时限，不能再申请延期",
    "extension_pending": "已有待审批的延期申请",
    "extension_too_long": "延期天数超过允许的上限",
    "merge_into_later_case": "只能并入更早受理的案件",
    "merge_overdue_reason_required": "该案件已超过办理时限，合并须写明理由",
    "merge_reason_required": "类别或地点不同，合并须写明理由",
    "merge_into_self": "不能并入案件本身",
    "merge_target_closed": "目标案件已办结，不能并入",
    "merge_target_merged": "目标案件已被合并，请并入其主案件",
    "received_at_in_future": "受理时间不能晚于当前时间",
    "received_at_too_old": "受理时间不能早于2000年",
    "return_window_closed": "已超过退单时限",
    "unknown_action": "未知的操作",
    "limits_incomplete": "时限规则不完整",
    "limits_invalid": "时限规则有误",
    "period_invalid": "统计区间有误",
    "amount_required": "请填写延期时长",
    "into_id_required": "请填写要并入的案件编号",
    "satisfaction_required": "请填写满意度",
    "unit_id_required": "请填写承办单位",
    "unit_unknown": "承办单位不在单位名录中",
    "unit_retired": "承办单位已撤销",
    "unit_id_invalid": "单位编号格式有误（小写字母、数字和连字符，如 town-01）",
    "unit_name_too_long": "单位名称过长",
    "unit_head_invalid": "单位负责人编号格式有误",
    "unit_contacts_invalid": "承办人员编号有误",
    "id_required": "请填写单位编号",
    "name_required": "请填写单位名称",
    "description_required": "请填写问题描述",
    "reason_required": "请填写原因",
    "text_required": "请填写内容",
    "note_too_long": "备注过长（最多2000字）",
    "phone_invalid": "请输入有效的电话号码",
    "not_a_platform_order": "该案件不是平台派发的工单",
    "redispatch_same_unit": "案件已由该单位承办",
    "satisfaction_invalid": "满意度须为满意、基本满意或不满意",
    "approved_required": "请填写是否同意延期",
    "deadline_not_future": "督办回复期限须晚于当前时间",
}
REASONS_ZH = {
    "role not allowed": "角色无权执行",
    "the case is not held by the actor's unit": "案件不在本单位办理",
}


class DomainError(core.QingshanError):
    """Base of every complaints domain error."""


class InvalidTransition(core.InvalidTransition, DomainError):
    """The action is not possible in the complaint's current state."""

    def __init__(self, current_state: Status, action: Action) -> None:
        """Record the state and the refused action (the API returns the state with 409)."""
        super().__init__(
            f"当前状态“{current_state.label}”下不能执行该操作",
            f"cannot {action.value} a complaint in state {current_state.value}",
            current={"state": current_state.value, "label": current_state.label},
            extra={"action": action.value},
        )
        self.current_state = current_state
        self.action = action


class Forbidden(core.Forbidden, DomainError):
    """The actor's role (or unit) may not perform the action."""

    def __init__(self, role: Role, action: Action, reason: str = "role not allowed") -> None:
        """Record who was refused what, and why."""
        super().__init__(
            f"无权执行该操作（{REASONS_ZH.get(reason, reason)}）",
            f"{role.value} may not {action.value}: {reason}",
        )
        self.role = role
        self.action = action
        self.reason = reason


class RuleViolation(core.RuleViolation, DomainError):
    """A business rule refused the command; ``code`` is stable for clients to translate."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        """Keep a stable machine code next to the human message; ``field`` names the input
        at fault (an ``x_required`` code names ``x`` without being told)."""
        zh = RULES_ZH.get(code, "请求不符合业务规则")
        if field is None and code.endswith("_required"):
            field = code.removesuffix("_required")
        errors = [core.FieldProblem(field, zh, message)] if field else []
        super().__init__(zh, message, code=code, errors=errors)
        self.message = message


class NotFound(core.NotFound, DomainError):
    """No complaint with that id (or tracking code, or action)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"未找到：{what}", f"not found: {what}")
        self.what = what
