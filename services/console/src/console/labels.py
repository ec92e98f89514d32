"""The labels the console's pages show, read from the owning services' catalogue.

Channels, categories, urgencies, statuses and stages belong to complaints, incident grades and
risk levels to risk, project stages to projects: each defines them once in its contract
(proto/qingshan/<owner>/v1/labels.proto) and the console reads them through qingshan_core.labels,
keeping no copy (a unit test fails on one).
"""

from __future__ import annotations

from qingshan_core.labels import labels_of

CHANNELS = labels_of("complaints.Channel")
CATEGORIES = labels_of("complaints.Category")
URGENCIES = labels_of("complaints.Urgency")
STATUSES = labels_of("complaints.Status")
STAGES = labels_of("complaints.Stage")
ACTION_LABELS = labels_of("complaints.Action")
ALERT_LEVELS = labels_of("complaints.AlertLevel")
# Mildest first, as the registration form offers them.
INCIDENT_GRADES = dict(reversed(labels_of("risk.IncidentGrade").items()))
RISK_LEVELS = tuple(labels_of("risk.RiskLevel"))
INCIDENT_MEDIA = labels_of("risk.IncidentMedium")
# Project stages in lifecycle order, by their Chinese names (the reserve API's stage_zh).
PROJECT_STAGES = tuple(labels_of("projects.Stage").values())
