"""Default Chinese templates (Jinja2) for the default rules: `data` is the event payload with
protobuf field names, instants as local "YYYY-MM-DD HH:MM"; `label` turns codes into Chinese."""

from __future__ import annotations

from notify.domain.catalog import DIGEST, DIRECT
from notify.domain.model import ANY_CHANNEL, Template

C = "qingshan.complaints.v1."
R = "qingshan.risk.v1."
P = "qingshan.projects.v1."

_ALERT = (
    "投诉编号：{{ data.alert.complaint_id }}\n"
    "承办单位：{{ data.alert.unit_id }}\n"
    "环节：{{ data.alert.stage|label }}\n"
    "期限：{{ data.alert.due_at }}\n"
    "类别：{{ data.alert.category|label }}　来源：{{ data.alert.channel|label }}"
)
# A platform step is named so: "reply" alone would read as the stage 答复.
_STEP = "{{ data.step|label('complaints.PlatformStep') }}"
_PLAN = "应急预案 {{ data.plan_id }}（企业 {{ data.credit_code }}）"
_SUBITEM = (
    "项目：{{ data.subitem.project }} / {{ data.subitem.name }}\n"
    "牵头单位：{{ data.subitem.lead_units|join('、') }}"
)

_TEXT: dict[str, tuple[str, str]] = {
    C + "DeadlineWarning": (
        "【临期预警】投诉{{ data.alert.stage|label }}期限将至",
        _ALERT + "\n请在期限前办理。",
    ),
    C + "DeadlineOverdue": (
        "【超期】投诉{{ data.alert.stage|label }}已超期",
        _ALERT + "\n已超过期限，请立即办理并在站内信确认。",
    ),
    C + "DeadlineEscalated": (
        "【督办】投诉{{ data.alert.stage|label }}超期，{{ data.alert.level|label }}",
        _ALERT + "\n请督促承办单位立即办理。",
    ),
    C + "ComplaintUrged": (
        "【{{ data.level|label }}】{{ data.platform }}工单{{ data.order_number }}",
        "投诉编号：{{ data.complaint_id }}\n承办单位：{{ data.unit_id }}\n"
        "类别：{{ data.category|label }}\n"
        "市级平台{{ data.level|label }}（累计催办 {{ data.urge_count }} 次、"
        "督办 {{ data.supervise_count }} 次）。"
        "{% if data.note %}\n意见：{{ data.note }}{% endif %}\n请立即督促办理。",
    ),
    C + "ComplaintSupervised": (
        "【局督办】投诉{{ data.complaint_id }}（第{{ data.supervision_count }}次）",
        "投诉编号：{{ data.complaint_id }}\n承办单位：{{ data.unit_id }}\n"
        "类别：{{ data.category|label }}　来源：{{ data.channel|label }}\n"
        "督办意见：{{ data.reason }}\n"
        "{% if data.deadline %}请于 {{ data.deadline }} 前回复督办意见。"
        "{% else %}请立即督促办理并回复。{% endif %}",
    ),
    C + "PlatformStepRefused": (
        "【平台拒收】{{ data.platform }}工单{{ data.order_number }} " + _STEP,
        "投诉编号：{{ data.complaint_id }}\n环节：" + _STEP + "（序号 {{ data.seq }}）\n"
        "平台答复（HTTP {{ data.http_status }}）：{{ data.answer }}\n"
        "该环节已转入死信队列，请核实后处理。",
    ),
    C + "RatesBelowTarget": (
        "【{{ data.rate|label }}未达标】{{ data.unit_id }} {{ data.period }}",
        "{{ data.unit_id }} {{ data.period }} {{ data.rate|label }}为 {{ data.value }}"
        "（{{ data.numerator }}/{{ data.denominator }}），目标 {{ data.target }}。",
    ),
    C + "HotspotDetected": (
        "【舆情预警】{{ data.town }}{{ data.category|label }}类投诉集中",
        "{{ data.window_hours }}小时内同一地点（{{ data.place_key }}）收到 {{ data.count }} 件"
        "投诉。\n关联案件：{{ data.complaint_ids|join('、') }}",
    ),
    C + "WorkCalendarStale": (
        "【工作日历】{{ data.year }}年节假日数据缺失",
        "{{ data.year }}年的期限暂按周一至周五计算，请管理员录入国务院办公厅放假安排。",
    ),
    R + "WorkCalendarStale": (
        "【工作日历】{{ data.year }}年节假日数据缺失（风险源与危废）",
        "联单确认、预案备案等{{ data.year }}年的工作日期限暂按周一至周五计算，"
        "请管理员录入国务院办公厅放假安排。",
    ),
    R + "IncidentRegistered": (
        "【突发环境事件】{{ data.title }}",
        "事件编号：{{ data.incident_id }}\n报告等级：{{ data.reporting_grade|label }}\n"
        "须于 {{ data.report_by }} 前完成初报。"
        "{% if data.river %}\n涉及河流：{{ data.river }}{% endif %}"
        "{% if data.drinking_water %}\n涉及饮用水水源{% endif %}"
        "{% if data.heavy_metals %}\n涉及重金属{% endif %}\n请立即处置并在站内信确认。",
    ),
    R + "IncidentReported": (
        "【突发环境事件】{{ data.incident_id }} {{ data.report_kind }}已报送",
        "事件编号：{{ data.incident_id }}\n报告：{{ data.report_kind }}"
        "{% if data.late %}（已超过报告时限）{% endif %}\n时间：{{ data.occurred_at }}\n"
        "请应急办跟进并在站内信确认。",
    ),
    R + "IncidentReportOverdue": (
        "【报告超时】突发环境事件 {{ data.incident_id }}",
        "报告时限 {{ data.report_by }} 已过，请立即报送。",
    ),
    R + "IncidentGraded": (
        "【事件定级】{{ data.incident_id }} 定为{{ data.grade|label }}",
        "报告时限：{{ data.report_by }}。",
    ),
    R + "IncidentRegraded": (
        "【事件级别变更】{{ data.incident_id }} 按{{ data.reporting_grade|label }}程序报告",
        "级别：{{ data.grade|label }}"
        "{% if data.old_grade %}（原{{ data.old_grade|label }}）{% endif %}"
        "\n依据：{{ data.criteria|join('、') }}\n报告时限：{{ data.report_by }}。",
    ),
    R + "IncidentCrossBoundaryNotificationRequired": (
        "【跨界通报】事件 {{ data.incident_id }} 须通报{{ data.neighbour }}",
        "事件涉及{{ data.river }}，请按程序通报{{ data.neighbour }}。",
    ),
    R + "ManifestConfirmationOverdue": (
        "【联单超期未确认】{{ data.manifest_number }}",
        "接收单位 {{ data.receiver_credit_code }} 应于 {{ data.confirm_by }} 前确认接收。",
    ),
    R + "ManifestDiscrepancyReported": (
        "【联单数量不符】{{ data.manifest_number }}",
        "{% for l in data.lines %}{{ l.kind_zh }} {{ l.waste_code }}：运出 {{ l.shipped_t }} 吨，"
        "接收 {{ l.received_t }} 吨，拒收 {{ l.rejected_t }} 吨\n{% endfor %}",
    ),
    R + "ManifestRefusedUnlicensed": (
        "【联单被拒】{{ data.manifest_number }} 接收单位无有效许可",
        "{{ data.reason_zh }}（废物代码 {{ data.waste_code }}，日期 {{ data.on_date }}）",
    ),
    R + "LicenceExpiringSoon": (
        "【许可证临期】{{ data.licence_number }} 还剩 {{ data.days_left }} 天",
        "持证单位 {{ data.holder_credit_code }}，有效期至 {{ data.valid_until }}。",
    ),
    R + "LicenceExpired": (
        "【许可证已过期】{{ data.licence_number }}",
        "持证单位 {{ data.holder_credit_code }}，有效期至 {{ data.valid_until }}，"
        "已不得接收危险废物。",
    ),
    R + "EmergencyPlanFilingDueSoon": (
        "【预案备案临期】" + _PLAN,
        "须于 {{ data.file_by }} 前向县级生态环境部门备案。",
    ),
    R + "EmergencyPlanFilingOverdue": (
        "【预案备案逾期】" + _PLAN,
        "备案期限 {{ data.file_by }} 已过。",
    ),
    R + "EmergencyPlanReviewDueSoon": (
        "【预案复核临期】" + _PLAN,
        "须于 {{ data.review_by }} 前完成复核（至少每三年一次）。",
    ),
    R + "EmergencyPlanReviewOverdue": (
        "【预案复核逾期】" + _PLAN,
        "复核期限 {{ data.review_by }} 已过。",
    ),
    R + "StorageLimitExceeded": (
        "【贮存超期】{{ data.holder_credit_code }} {{ data.waste_code }}",
        "自 {{ data.stored_since }} 起贮存 {{ data.quantity_t }} 吨，超过{{ data.limit_zh }}"
        "（应于 {{ data.due_by }} 前处置）。",
    ),
    R + "MedicalWasteCollectionOverdue": (
        "【医疗废物收运超时】{{ data.holder_credit_code }}",
        "自 {{ data.waiting_since }} 起等待收运，"
        "上次收运 {{ data.last_collected_at or '无记录' }}。",
    ),
    P + "MilestoneSlipped": (
        "【项目进度滞后】{{ data.subitem.name }}",
        _SUBITEM + "\n应于 {{ data.due_date }} 前进入{{ data.stage|label('projects.Stage') }}阶段，"
        "当前为{{ data.current_stage|label('projects.Stage') }}。",
    ),
    P + "ProgressReportOverdue": (
        "【调度报告逾期】{{ data.subitem.name }} {{ data.period }}",
        _SUBITEM + "\n{{ data.period }} 进度报告应于 {{ data.due_date }} 前报送。",
    ),
    P + "IndicatorOffTrack": (
        "【规划指标预警】{{ data.name }}",
        "{{ data.year }}年 当前值 {{ data.value }}{{ data.unit }}，目标 {{ data.target }}"
        "{{ data.unit }}，已偏离。",
    ),
    DIRECT: ("{{ data.title }}", "{{ data.body }}"),
    DIGEST: (
        "【{{ data.period|label }}汇总】共 {{ data.count }} 条通知",
        "{% for i in data['items'] %}{{ loop.index }}. {{ i.title }}（{{ i.at }}）\n{% endfor %}",
    ),
}

# A shorter text for SMS where the default body is long.
_SMS: dict[str, tuple[str, str]] = {
    R + "IncidentRegistered": (
        "【突发环境事件】{{ data.title }}",
        "编号{{ data.incident_id }}，须于{{ data.report_by }}前初报，请立即处置。",
    ),
}

GENERIC = Template(
    "*",
    ANY_CHANNEL,
    "【{{ event.label }}】{{ event.subject }}",
    "事件 {{ event.type }}（{{ event.time }}）\n"
    "{% for k, v in attrs %}{{ k }}：{{ v }}\n{% endfor %}",
    description="fallback when no template renders / 无可用模板时的通用格式",
)


def default_templates() -> list[Template]:
    out = [Template(t, ANY_CHANNEL, title, body) for t, (title, body) in _TEXT.items()]
    out += [Template(t, "sms", title, body) for t, (title, body) in _SMS.items()]
    return out
