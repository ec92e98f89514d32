"""The shipped defaults against the contracts as generated now: every default rule names an
existing event type and is valid, and every default template renders with sample data."""

import pytest

from notify.adapters.event_codec import attributes, build_catalog, message_data
from notify.adapters.templates import JinjaRenderer
from notify.domain.catalog import DIGEST, DIRECT
from notify.domain.default_templates import GENERIC, default_templates
from notify.domain.defaults import DEFAULT_GROUPS, DEFAULT_RULES
from notify.domain.rules import check_rule
from notify.service_layer.context import Policies
from notify.service_layer.rendering import render_template, sample_context
from qingshan.complaints.v1 import events_pb2 as complaints
from qingshan.projects.v1 import events_pb2 as projects

pytestmark = pytest.mark.unit
CATALOG = build_catalog()


def test_every_default_rule_names_a_contract_event_and_is_valid() -> None:
    groups = {g.id for g in DEFAULT_GROUPS}
    for rule in DEFAULT_RULES:
        assert rule.event_type in CATALOG, rule.event_type
        assert check_rule(rule, CATALOG, set(), groups) == [], rule.id


def test_every_default_template_renders_with_sample_data() -> None:
    renderer = JinjaRenderer()
    for t in default_templates():
        etype = CATALOG.get(t.event_type)
        assert etype is not None, t.event_type
        out = render_template(renderer, t, sample_context(etype, Policies()))
        assert out.title and "{{" not in out.title + out.body, t.id
    for name in (DIRECT, DIGEST, "qingshan.risk.v1.IncidentReported"):
        etype = CATALOG.get(name)
        assert etype is not None
        assert render_template(renderer, GENERIC, sample_context(etype, Policies())).title


def test_catalog_leaves_out_embedded_parts() -> None:
    names = {t.name for t in CATALOG.routable()}
    assert "qingshan.complaints.v1.DeadlineWarning" in names
    assert "qingshan.complaints.v1.DeadlineAlert" not in names
    assert "qingshan.projects.v1.SubItemRef" not in names


def test_attributes_flatten_nested_and_repeated_fields() -> None:
    msg = complaints.DeadlineWarning(
        alert=complaints.DeadlineAlert(complaint_id="c-1", unit_id="town-a", level="warning")
    )
    attrs = attributes(message_data(msg))
    assert attrs["alert.unit_id"] == ("town-a",) and attrs["unit_id"] == ("town-a",)
    slipped = projects.MilestoneSlipped(
        subitem=projects.SubItemRef(name="污水管网", lead_units=["区水利局", "区生态环境局"])
    )
    data = message_data(slipped)
    assert attributes(data)["lead_units"] == ("区水利局", "区生态环境局")
    assert data["occurred_at"] == ""  # unset instants render empty, not 1970
