"""The rules and groups notify ships with (docs/notifications.md). All of it is data: seeded
once into the store, then edited through the API. Event types are protobuf full names from
proto/."""

from __future__ import annotations

from notify.domain.model import (
    ANY_UNIT,
    Channel,
    Condition,
    DigestPeriod,
    EscalationChain,
    Group,
    Priority,
    Rule,
    Target,
    TargetKind,
)

C = "qingshan.complaints.v1."
R = "qingshan.risk.v1."
P = "qingshan.projects.v1."

EMERGENCY_OFFICE = "emergency-office"
SUPERVISORS = "supervisors"
INSPECTORS = "inspectors"
ADMINS = "admins"

DEFAULT_GROUPS = (
    Group(EMERGENCY_OFFICE, "应急办（突发环境事件值守）/ emergency office"),
    Group(SUPERVISORS, "督办人员 / supervisors"),
    Group(INSPECTORS, "固废与执法监管人员 / inspectors"),
    Group(ADMINS, "系统管理员 / administrators"),
)

# The bureau level every unit falls back to; an administrator fills in the people.
DEFAULT_CHAINS = (EscalationChain(ANY_UNIT),)

INBOX, SMS, EMAIL, WECOM, DINGTALK = (
    Channel.INBOX,
    Channel.SMS,
    Channel.EMAIL,
    Channel.WECOM,
    Channel.DINGTALK,
)


def _unit(level: str) -> Target:
    return Target(TargetKind.UNIT, level)


def _group(gid: str) -> Target:
    return Target(TargetKind.GROUP, gid)


def _many(
    prefix: str,
    names: tuple[str, ...],
    label: str,
    channels: tuple[Channel, ...],
    targets: tuple[Target, ...],
    priority: Priority,
    *,
    unit_attr: str = "unit_id",
    digest: DigestPeriod | None = None,
    ack_within_minutes: int | None = None,
    escalation: tuple[tuple[Target, ...], ...] = (),
) -> list[Rule]:
    return [
        Rule(
            id=f"default.{prefix.split('.')[1]}.{n}",
            name=f"{label}（{n}）",
            event_type=prefix + n,
            channels=channels,
            targets=targets,
            priority=priority,
            unit_attr=unit_attr,
            digest=digest,
            ack_within_minutes=ack_within_minutes,
            escalation=escalation,
        )
        for n in names
    ]


INCIDENT_TYPES = (
    "IncidentRegistered",
    "IncidentReported",
    "IncidentGraded",
    "IncidentRegraded",
    "IncidentReportOverdue",
    "IncidentCrossBoundaryNotificationRequired",
)

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "default.complaints.DeadlineWarning",
        "临期预警 → 承办单位 / deadline warning to the handling unit",
        C + "DeadlineWarning",
        (INBOX, SMS),
        (_unit("handler"),),
    ),
    Rule(
        "default.complaints.DeadlineOverdue",
        "超期 → 单位负责人，未确认则升级至局督办 / overdue to the unit head, then the bureau",
        C + "DeadlineOverdue",
        (INBOX, SMS, EMAIL),
        (_unit("unit_head"),),
        priority=Priority.HIGH,
        ack_within_minutes=240,
        escalation=((_unit("bureau"),),),
    ),
    Rule(
        "default.complaints.DeadlineEscalated.unit_head",
        "督办至单位负责人 / escalated to the unit head",
        C + "DeadlineEscalated",
        (INBOX, SMS),
        (_unit("unit_head"),),
        conditions=(Condition("level", ("unit_head",)),),
        priority=Priority.HIGH,
    ),
    Rule(
        "default.complaints.DeadlineEscalated.bureau",
        "督办至局领导 / escalated to the bureau",
        C + "DeadlineEscalated",
        (INBOX, SMS, EMAIL),
        (_unit("bureau"),),
        conditions=(Condition("level", ("bureau",)),),
        priority=Priority.HIGH,
    ),
    Rule(
        "default.complaints.ComplaintUrged",
        "市级平台催办/督办 → 单位负责人 / the city platform urges: to the unit head",
        C + "ComplaintUrged",
        (INBOX, SMS),
        (_unit("unit_head"),),
        priority=Priority.HIGH,
    ),
    Rule(
        "default.complaints.ComplaintSupervised",
        "局督办 → 单位负责人 / the bureau's supervisor presses the unit: to the unit head",
        C + "ComplaintSupervised",
        (INBOX, SMS),
        (_unit("unit_head"),),
        priority=Priority.HIGH,
    ),
    Rule(
        "default.complaints.PlatformStepRefused",
        "市级平台拒收办理环节 → 管理员 / a platform refused a step: to administrators",
        C + "PlatformStepRefused",
        (INBOX, EMAIL),
        (_group(ADMINS),),
        priority=Priority.HIGH,
    ),
    Rule(
        "default.complaints.RatesBelowTarget",
        "交办率/按时回复率未达100% → 督办人员（每日汇总）/ rates below target to supervisors",
        C + "RatesBelowTarget",
        (INBOX, EMAIL),
        (_group(SUPERVISORS),),
        priority=Priority.LOW,
        digest=DigestPeriod.DAILY,
    ),
    Rule(
        "default.complaints.HotspotDetected",
        "舆情预警 → 督办人员 / hotspot to supervisors",
        C + "HotspotDetected",
        (INBOX, WECOM),
        (_group(SUPERVISORS),),
        priority=Priority.HIGH,
    ),
    Rule(
        "default.complaints.WorkCalendarStale",
        "工作日历缺少节假日数据 → 管理员 / stale working-day calendar to administrators",
        C + "WorkCalendarStale",
        (INBOX, EMAIL),
        (_group(ADMINS),),
    ),
    Rule(
        "default.risk.WorkCalendarStale",
        "风险模块工作日历缺少节假日数据 → 管理员 / risk's stale working-day calendar to admins",
        R + "WorkCalendarStale",
        (INBOX, EMAIL),
        (_group(ADMINS),),
    ),
    *_many(
        R,
        INCIDENT_TYPES,
        "突发环境事件 → 应急办，立即，15分钟未确认升级 / incident to the emergency office",
        (WECOM, DINGTALK, SMS, INBOX),
        (_group(EMERGENCY_OFFICE),),
        Priority.CRITICAL,
        ack_within_minutes=15,
        escalation=((_group(SUPERVISORS),),),
    ),
    *_many(
        R,
        ("ManifestConfirmationOverdue", "ManifestDiscrepancyReported", "ManifestRefusedUnlicensed"),
        "转移联单 → 监管人员 / manifests to inspectors",
        (INBOX, EMAIL),
        (_group(INSPECTORS),),
        Priority.HIGH,
    ),
    *_many(
        R,
        ("LicenceExpiringSoon", "EmergencyPlanFilingDueSoon", "EmergencyPlanReviewDueSoon"),
        "许可证/应急预案临期 → 监管人员（每日汇总）/ due soon to inspectors, daily digest",
        (INBOX, EMAIL),
        (_group(INSPECTORS),),
        Priority.LOW,
        digest=DigestPeriod.DAILY,
    ),
    *_many(
        R,
        ("LicenceExpired", "EmergencyPlanFilingOverdue", "EmergencyPlanReviewOverdue"),
        "许可证过期/应急预案逾期 → 监管人员 / expired or overdue to inspectors",
        (INBOX, EMAIL),
        (_group(INSPECTORS),),
        Priority.NORMAL,
    ),
    *_many(
        R,
        ("StorageLimitExceeded", "MedicalWasteCollectionOverdue"),
        "贮存超期/医疗废物收运超时 → 监管人员 / storage over limits to inspectors",
        (INBOX, SMS),
        (_group(INSPECTORS),),
        Priority.HIGH,
    ),
    *_many(
        P,
        ("MilestoneSlipped", "ProgressReportOverdue"),
        "项目滞后/调度逾期 → 牵头单位 / slipping projects to the lead units",
        (INBOX, EMAIL),
        (_unit("handler"),),
        Priority.NORMAL,
        unit_attr="lead_units",
    ),
    *_many(
        P,
        ("IndicatorOffTrack",),
        "约束性指标预警 → 督办人员 / binding indicator off track to supervisors",
        (INBOX, EMAIL),
        (_group(SUPERVISORS),),
        Priority.HIGH,
    ),
)
