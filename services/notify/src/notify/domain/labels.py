"""Labels of notify's own codes. The codes other services own (channels, categories, stages,
grades …) are labelled by their owners' catalogue (qingshan_core.labels), never here."""

from __future__ import annotations

# Digest periods, and yes/no for booleans (the template filter's own words).
OWN: dict[str, str] = {"hourly": "每小时", "daily": "每日", "true": "是", "false": "否"}

# The levels of a unit's escalation chain (rules' `unit` targets), as people read them.
UNIT_LEVEL_LABELS: dict[str, str] = {
    "handler": "承办人员",
    "unit_head": "单位负责人",
    "bureau": "局督办",
}
