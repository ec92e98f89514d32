"""gRPC ProjectsService: read access to roll-ups, sub-items, projects and indicators.

Callers authenticate with `authorization: Bearer <jwt>` metadata; every role but the public
may read. Errors map to gRPC status codes, never to an internal error for bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from decimal import Decimal

import grpc

from projects.domain.indicator_ledger import IndicatorStatus
from projects.domain.indicators import Indicator
from projects.domain.rollups import Rollup, RollupBy
from projects.domain.row import ReserveRow
from projects.domain.stages import parse_stage
from projects.entrypoints.http.errors import FieldError, blame
from projects.service_layer import indicators, queries
from projects.service_layer.context import Context
from projects.service_layer.ports import SubItemFilter
from qingshan.projects.v1 import projects_service_pb2 as pb
from qingshan.projects.v1 import projects_service_pb2_grpc as pb_grpc

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["ProjectsService"].full_name
_BY = {
    pb.ROLLUP_BY_FIELD: RollupBy.FIELD,
    pb.ROLLUP_BY_PROJECT: RollupBy.PROJECT,
    pb.ROLLUP_BY_LEAD_UNIT: RollupBy.LEAD_UNIT,
    pb.ROLLUP_BY_YEAR: RollupBy.YEAR,
    pb.ROLLUP_BY_SOURCE_CLASS: RollupBy.SOURCE_CLASS,
    pb.ROLLUP_BY_STAGE: RollupBy.STAGE,
}


def _m(value: object) -> str:
    return format(value, "f")


def subitem_pb(r: ReserveRow) -> pb.SubItem:
    """A row as the gRPC SubItem message."""
    msg = pb.SubItem(
        id=r.subitem_id,
        project_id=r.project_id,
        project=r.project,
        no=r.no,
        field_code=r.field.code,
        field_label=r.field.label,
        name=r.name,
        content=r.content,
        investment_wan=_m(r.investment_wan),
        start_year=r.years.start,
        end_year=r.years.end,
        lead_units=list(r.lead_units),
        source=r.source,
        source_class=r.source_class.value,
        location=r.location or "",
        stage=r.stage.value,
        in_reserve=r.in_reserve,
    )
    if r.funding is not None:
        f = r.funding
        msg.funding.CopyFrom(
            pb.Funding(
                central=_m(f.central),
                municipal=_m(f.municipal),
                district=_m(f.district),
                social=_m(f.social),
            )
        )
    return msg


def rollup_pb(r: Rollup, by: int) -> pb.GetRollupResponse:
    """A roll-up as the gRPC answer."""
    t = r.total
    return pb.GetRollupResponse(
        by=by,  # type: ignore[arg-type]
        groups=[
            pb.RollupGroup(
                key=g.key,
                label=g.label,
                projects=g.projects,
                subitems=g.subitems,
                investment_wan=_m(g.investment_wan),
                investment_yi=_m(g.investment_yi),
                share_pct="" if g.share_pct is None else _m(g.share_pct),
                shared_subitems=g.shared_subitems,
            )
            for g in r.groups
        ],
        total=pb.RollupTotal(
            projects=t.projects,
            subitems=t.subitems,
            investment_wan=_m(t.investment_wan),
            investment_yi=_m(t.investment_yi),
        ),
        overlapping=r.overlapping,
        note_zh=r.note_zh,
        note_en=r.note_en,
    )


def indicator_pb(ind: Indicator, s: IndicatorStatus) -> pb.IndicatorStatus:
    """An indicator's standing as the gRPC message."""
    return pb.IndicatorStatus(
        no=ind.no,
        category=ind.category,
        name=ind.name,
        unit=ind.unit,
        kind=ind.kind.value,
        baseline_text=ind.baseline.text,
        target_text=ind.target.text,
        direction=ind.direction.value,
        year=s.year,
        has_value=s.value is not None,
        value="" if s.value is None else _m(s.value),
        has_target=s.target is not None,
        target="" if s.target is None else _m(s.target),
        status=s.status.value,
    )


class ProjectServicer(pb_grpc.ProjectsServiceServicer):
    """Serves the reserve's reads to integrations."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def GetRollup(self, request, context):  # type: ignore[no-untyped-def]
        """Exact roll-up by the requested dimension, optionally as of a past instant."""
        by = _BY.get(request.by)
        if by is None:
            raise FieldError("by", "请指定汇总维度 by", "by is required")
        as_of = request.as_of.ToDatetime(tzinfo=UTC) if request.HasField("as_of") else None
        r = await queries.get_rollup(
            self.ctx, by, as_of=as_of, include_withdrawn=request.include_withdrawn
        )
        out = rollup_pb(r, request.by)
        if as_of is not None:
            out.as_of.CopyFrom(request.as_of)
        return out

    async def GetSubItem(self, request, context):  # type: ignore[no-untyped-def]
        """One sub-item as it stands now."""
        item, _ = await queries.get_subitem(self.ctx, request.subitem_id)
        return pb.GetSubItemResponse(subitem=subitem_pb(item.row))

    async def ListSubItems(self, request, context):  # type: ignore[no-untyped-def]
        """Sub-items in 序号 order, filtered and paged."""
        stage = None
        if request.stage:
            with blame("stage"):
                stage = parse_stage(request.stage).value
        flt = SubItemFilter(
            field_code=request.field_code or None,
            project_id=request.project_id or None,
            lead_unit=request.lead_unit or None,
            stage=stage,
            year=request.year or None,
            source_class=request.source_class or None,
            include_withdrawn=request.include_withdrawn,
        )
        limit = min(max(request.limit or 100, 1), 1000)
        rows, total = await queries.list_subitems(
            self.ctx, flt, limit=limit, offset=max(request.offset, 0)
        )
        return pb.ListSubItemsResponse(subitems=[subitem_pb(r) for r in rows], total=total)

    async def GetProject(self, request, context):  # type: ignore[no-untyped-def]
        """One project with its sub-items."""
        view = await queries.get_project(self.ctx, request.project_id)
        first = view.rows[0]
        return pb.GetProjectResponse(
            project_id=view.project_id,
            project=first.project,
            field_code=first.field.code,
            investment_wan=_m(sum((r.investment_wan for r in view.rows), Decimal(0))),
            subitems=[subitem_pb(r) for r in view.rows],
        )

    async def GetIndicators(self, request, context):  # type: ignore[no-untyped-def]
        """The plan's indicators and their standing in a year."""
        if request.year and not 2000 <= request.year <= 2099:
            raise FieldError("year", "年份超出范围（2000–2099）", "year must be 2000–2099")
        year, views = await indicators.statuses(self.ctx, request.year or None)
        return pb.GetIndicatorsResponse(
            year=year, indicators=[indicator_pb(v.indicator, v.status) for v in views]
        )


def registrar(ctx: Context) -> Callable[[grpc.aio.Server], None]:
    """The add_*_to_server callable runtime.serve_grpc expects."""

    def register(server: grpc.aio.Server) -> None:
        pb_grpc.add_ProjectsServiceServicer_to_server(  # type: ignore[no-untyped-call]
            ProjectServicer(ctx), server
        )

    return register
