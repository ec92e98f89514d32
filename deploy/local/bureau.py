"""The demonstration bureau `make run` seeds (development only): 南川区's handling units with
their heads and handlers, the bureau's duty officers and leaders, and a few demo enterprises,
graded risk sources and licences for the risk map. Every person and company here is made up
(names end in 演示 or are role titles); e-mail goes to the local sink, never out.

Units: the district's 3 streets and 28 towns/townships (the plan counts 3 街道 and 31 乡镇 in
its waste-sorting figures and names 三泉镇, 南平镇, 鸣玉镇, 大观镇, 金山镇, 大有镇, 水江镇 and,
without the suffix, 东城, 南城, 兴隆, 楠竹山, 黎香湖; the rest of the list is the district's
current divisions), the bureau's sections, and the departments the plan names as lead units.
"""

from __future__ import annotations

MAIL_DOMAIN = "nanchuan-demo.example"  # .example is reserved (RFC 2606): nothing is delivered

TOWNS = (
    "东城街道", "南城街道", "西城街道", "三泉镇", "南平镇", "神童镇", "鸣玉镇", "大观镇",
    "兴隆镇", "太平场镇", "白沙镇", "古花镇", "乾丰镇", "骑龙镇", "石墙镇", "金山镇",
    "头渡镇", "大有镇", "合溪镇", "德隆镇", "峰岩乡", "民主镇", "福寿镇", "庆元镇",
    "水江镇", "山王坪镇", "木凉镇", "河图镇", "石莲镇", "楠竹山镇", "黎香湖镇",
)  # fmt: skip
SECTIONS = ("执法支队", "大气环境科", "水生态环境科", "土壤生态环境科", "固体废物与化学品科")
DEPARTMENTS = (
    "区城市管理局", "区住房城乡建委", "区农业农村委", "区交通局", "区水利局",
    "区经济信息委", "区规划自然资源局", "区林业局", "区发展改革委",
)  # fmt: skip


def units() -> list[dict[str, object]]:
    """Every handling unit: id, name, kind, head and one handler (person ids)."""
    out: list[dict[str, object]] = []
    for prefix, kind, names in (
        ("town", "town", TOWNS),
        ("sec", "section", SECTIONS),
        ("dept", "department", DEPARTMENTS),
    ):
        for i, name in enumerate(names, start=1):
            uid = f"{prefix}-{i:02d}"
            out.append(
                {
                    "id": uid,
                    "name": name,
                    "kind": kind,
                    "head": f"{uid}-head",
                    "contacts": [f"{uid}-handler"],
                }
            )
    return out


# The bureau's own people: duty officers (值班, they dispatch cases and take incident calls),
# the duty lead (带班, the bureau-wide "unit head" for cases not yet assigned) and leaders.
DUTY_OFFICERS = ("duty-01", "duty-02", "duty-03")
DUTY_LEAD = "duty-lead"
LEADERS = ("bureau-deputy", "bureau-director")
ADMIN = "sys-admin"
BUREAU_PEOPLE = {
    "duty-01": "值班员一（演示）",
    "duty-02": "值班员二（演示）",
    "duty-03": "值班员三（演示）",
    DUTY_LEAD: "带班值班长（演示）",
    "bureau-deputy": "分管副局长（演示）",
    "bureau-director": "局长（演示）",
    ADMIN: "系统管理员（演示）",
}


def people() -> list[dict[str, object]]:
    """notify recipients: everyone above and every unit's head and handler, each with an
    inbox (their login) and an e-mail address. The bureau's people are on duty round the clock:
    no quiet hours for them."""
    out: list[dict[str, object]] = [
        {
            "id": pid,
            "name": name,
            "unit": "bureau",
            "email": f"{pid}@{MAIL_DOMAIN}",
            "quiet_hours": {"enabled": False},
        }
        for pid, name in BUREAU_PEOPLE.items()
    ]
    for u in units():
        for pid, role in ((u["head"], "负责人"), (u["contacts"][0], "承办人")):  # type: ignore[index]
            out.append(
                {
                    "id": pid,
                    "name": f"{u['name']}{role}（演示）",
                    "unit": u["id"],
                    "email": f"{pid}@{MAIL_DOMAIN}",
                }
            )
    return out


GROUPS = {
    "emergency-office": (
        "应急办（突发环境事件值守）/ emergency office",
        [*DUTY_OFFICERS, DUTY_LEAD],
    ),
    "supervisors": ("督办人员 / supervisors", [DUTY_LEAD, "bureau-deputy"]),
    "inspectors": ("固废与执法监管人员 / inspectors", ["sec-01-head", "sec-05-head"]),
    "admins": ("系统管理员 / administrators", [ADMIN]),
}
# The bureau-wide chain: cases not yet assigned go to the duty officers, then the duty lead,
# then the leaders; every unit's own handlers and head come from the unit registry.
BUREAU_CHAIN = {"handlers": list(DUTY_OFFICERS), "unit_heads": [DUTY_LEAD], "bureau": list(LEADERS)}

# Demo enterprises (approximate town centres, WGS 84 inside 南川区), each graded (HJ 941).
ENTERPRISES = [
    ("91500119MA5YD00013", "南川水江化工有限公司（演示）", "水江组团", "107.3050", "29.2140",
     "化工", ("Q3", "M2", "E1"), ("Q2", "M2", "E1")),
    ("91500119MA5YD00026", "南川龙岩新材料有限公司（演示）", "龙岩组团", "107.1180", "29.1920",
     "新材料", ("Q1", "M1", "E2"), ("Q1", "M1", "E2")),
    ("91500119MA5YD00039", "南川大观中药饮片有限公司（演示）", "大观组团", "107.1720", "29.2480",
     "中医药", ("Q1", "M1", "E2"), ("Q0", None, None)),
    ("91500119MA5YD0004C", "南川南平建材有限公司（演示）", "南平组团", "107.0830", "29.0560",
     "建材", ("Q1", "M2", "E2"), ("Q1", "M1", "E3")),
    ("91500119MA5YD0005F", "南川金山环保处置有限公司（演示）", None, "107.1020", "29.1450",
     "危险废物处置", ("Q2", "M2", "E1"), ("Q2", "M1", "E2")),
    ("91500119MA5YD0006J", "南川三泉医疗废物收运站（演示）", None, "107.1350", "29.0480",
     "医疗废物收运", ("Q1", "M1", "E3"), ("Q1", "M1", "E3")),
]  # fmt: skip
# Licences (危险废物经营许可证) of the two waste handlers above.
LICENCES = [
    {
        "number": "渝危废经字（演示）001号",
        "holder_credit_code": "91500119MA5YD0005F",
        "holder_name": "南川金山环保处置有限公司（演示）",
        "kind": "综合",
        "valid_from": "2024-06-01",
        "categories": ["HW08", "HW49"],
        "annual_capacity_t": "5000",
    },
    {
        "number": "渝危废经字（演示）002号",
        "holder_credit_code": "91500119MA5YD0006J",
        "holder_name": "南川三泉医疗废物收运站（演示）",
        "kind": "收集",
        "valid_from": "2025-01-01",
        "categories": ["HW01"],
    },
]
