"""Chinese labels for the codes events carry, used by templates through the `label` filter."""

from __future__ import annotations

LABELS: dict[str, str] = {
    # complaint stages and alert levels
    "assign": "交办",
    "accept": "签收",
    "reply": "回复",
    "close": "办结",
    "warning": "临期预警",
    "overdue": "超期",
    "unit_head": "督办至单位负责人",
    "bureau": "督办至局领导",
    # the city platforms' 催办/督办 and the district steps that go back to them
    "urge": "催办",
    "supervise": "督办",
    "return": "退单",
    "extend": "延期申请",
    "reopen": "重办",
    # complaint channels and categories
    "12345": "12345热线",
    "12369": "12369平台",
    "web": "网站",
    "app": "移动端",
    "letter": "来信",
    "visit": "来访",
    "air": "大气",
    "water": "水",
    "noise": "噪声",
    "solid_waste": "固体废物",
    "soil": "土壤",
    "radiation": "辐射",
    "ecology": "生态",
    "other": "其他",
    # rates
    "assignment_rate": "交办率",
    "on_time_reply_rate": "按时回复率",
    # incident grades
    "I": "Ⅰ级（特别重大）",
    "II": "Ⅱ级（重大）",
    "III": "Ⅲ级（较大）",
    "IV": "Ⅳ级（一般）",
    # project stages
    "reserve": "储备",
    "feasibility": "可研",
    "preliminary_design": "初设",
    "tendering": "招投标",
    "implementation": "实施",
    "completed": "完工",
    "accepted": "验收",
    "evaluated": "绩效评价",
    # notify's own
    "hourly": "每小时",
    "daily": "每日",
    "true": "是",
    "false": "否",
}


def label(code: object) -> str:
    """The Chinese label of a code, or the code itself when it has none."""
    text = str(code)
    if isinstance(code, bool):
        text = "true" if code else "false"
    return LABELS.get(text, text)


# The levels of a unit's escalation chain (rules' `unit` targets), as people read them.
UNIT_LEVEL_LABELS: dict[str, str] = {
    "handler": "承办人员",
    "unit_head": "单位负责人",
    "bureau": "局督办",
}
