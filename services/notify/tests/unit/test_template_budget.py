"""Templates render within budgets: what would build a huge text or number, or run for ever,
is refused as a TemplateError; every failure of a stored template falls back to the generic
one, raises an ops alert, and the event is planned all the same (never dead-lettered)."""

from __future__ import annotations

import pytest

from notify.adapters.templates import JinjaRenderer
from notify.domain.default_templates import GENERIC
from notify.domain.model import Channel, Template
from notify.service_layer import admin
from notify.service_layer.planning import plan_event
from notify.service_layer.ports import TemplateError

from .fakes import FakeOps, FakeTemplates
from .test_use_cases import incident, setup, store

pytestmark = pytest.mark.unit
CTX = {"data": {"amount": 12345678, "name": "张三", "zero": 0}}


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**9 }}",
        "{{ [1] * 10**9 }}",
        "{{ 2 ** 100000 }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ 'x'|center(1000000000) }}",
        "{{ '%*d'|format(1000000000, 1) }}",
        "{{ ('x' * 60000)|replace('x', 'yy') }}",
        "{% for i in range(100000) %}{{ 'abcdefghij' }}{% endfor %}",  # output budget
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{{ 100 / data.zero }}",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    ],
)
def test_what_is_too_big_too_long_or_broken_is_a_template_error(source: str) -> None:
    with pytest.raises(TemplateError):
        JinjaRenderer(time_budget=0.2).render(source, CTX)


def test_ordinary_arithmetic_and_formatting_still_render() -> None:
    source = (
        "{{ '{:,}'.format(data.amount) }} {{ '%.2f'|format(data.amount) }} {{ data.name }} "
        "{{ '%s元' % data.amount }} {{ data.amount * 2 }} {{ '-' * 3 }} {{ 2 ** 10 }}"
    )
    out = JinjaRenderer().render(source, CTX)
    assert out == "12,345,678 12345678.00 张三 12345678元 24691356 --- 1024"


async def test_a_preview_of_a_huge_repetition_is_refused() -> None:
    ctx, _, _ = setup()
    bomb = Template("notify.direct", "*", "{{ 'x' * 10**9 }}", "")
    with pytest.raises(Exception, match="budget") as err:
        await admin.preview(ctx, bomb, {"title": "t"})
    assert type(err.value).__name__ == "ValidationFailed"


async def test_a_failing_stored_template_falls_back_to_the_generic_one_with_an_alert() -> None:
    ctx, _, _ = setup()
    templates: FakeTemplates = ctx.templates  # type: ignore[assignment]
    etype = "qingshan.risk.v1.IncidentReported"
    broken = Template(etype, "*", "{{ 1 / 0 }}", "body")  # saved checks passed, data differs
    templates.items = {t.id: t for t in templates.items.values() if t.event_type != etype}
    templates.items[broken.id] = broken

    outcome = await plan_event(ctx, incident())
    assert len(outcome.created) == 3  # every message still planned
    planned = list(store(ctx).docs.values())
    assert {d.template_id for d in planned} == {GENERIC.id}
    assert all("ZeroDivisionError" in d.notes for d in planned)
    assert {d.channel for d in planned} == {Channel.WECOM, Channel.SMS, Channel.INBOX}
    ops: FakeOps = ctx.ops  # type: ignore[assignment]
    [(subject, (summary, detail))] = ops.alerts.items()  # once, not once per message
    assert subject.startswith(f"template-failed/{broken.id}/") and "通用模板" in summary
    assert "ZeroDivisionError" in detail and etype in detail
