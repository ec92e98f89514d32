"""gRPC RiskRegistry: registry, catalogue, licence and indicator lookups for other systems.

Callers authenticate with `authorization: Bearer <jwt>` metadata (any role but public),
verified by the core's gRPC interceptor.
Domain validation errors become INVALID_ARGUMENT with the bilingual reason, never INTERNAL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from qingshan.risk.v1 import risk_service_pb2 as pb
from qingshan.risk.v1 import risk_service_pb2_grpc as pb_grpc
from qingshan_core.events import timestamp
from risk.domain.catalogue_check import CodeStatus
from risk.domain.clock import china_date
from risk.domain.enterprises import Enterprise
from risk.domain.errors import ValidationError
from risk.domain.indicators import IndicatorValue
from risk.service_layer import catalogue, licences, registry
from risk.service_layer.context import Deps
from risk.service_layer.indicators import compute_indicators, rate_text

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["RiskRegistry"].full_name
T = TypeVar("T")
_STATUS = {
    CodeStatus.ACCEPTED: pb.WASTE_CODE_STATUS_ACCEPTED,
    CodeStatus.ACCEPTED_WITH_WARNING: pb.WASTE_CODE_STATUS_ACCEPTED_WITH_WARNING,
    CodeStatus.REFUSED: pb.WASTE_CODE_STATUS_REFUSED,
}


def _day(raw: str, deps: Deps) -> date:
    if not raw:
        return china_date(deps.clock())
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError("on_date", "日期格式应为YYYY-MM-DD", "use YYYY-MM-DD") from exc


def _moment(stamp: Timestamp, name: str, default: datetime | None = None) -> datetime:
    if stamp.seconds == 0 and stamp.nanos == 0:
        if default is None:
            raise ValidationError(name, "须填写时间", f"{name} is required")
        return default
    return stamp.ToDatetime(tzinfo=UTC)


def source_message(e: Enterprise) -> pb.RiskSource:
    """The protobuf form of a risk source."""
    msg = pb.RiskSource(
        id=e.source_id,
        credit_code=e.credit_code.value if e.credit_code else "",
        name=e.name,
        address=e.address or "",
        industry=e.industry or "",
        park_cluster=e.park_cluster or "",
        lists=sorted(e.lists),
        lon=str(e.location.lon) if e.location else "",
        lat=str(e.location.lat) if e.location else "",
    )
    if e.grading is not None:
        msg.level, msg.label, msg.colour = e.grading.level.value, e.grading.label, e.grading.colour
        if e.graded_at is not None:
            msg.graded_at.CopyFrom(timestamp(e.graded_at))
    return msg


def _indicator(value: IndicatorValue) -> pb.Indicator:
    percent = value.percent()
    return pb.Indicator(
        number=value.number,
        name_zh=value.name_zh,
        numerator_t=str(value.numerator_t),
        denominator_t=str(value.denominator_t),
        manifests=value.manifests,
        rate=rate_text(value) or "",
        percent="" if percent is None else str(percent),
        has_value=value.rate is not None,
        met=bool(value.met),
    )


class RiskRegistryServicer(pb_grpc.RiskRegistryServicer):
    """Implements qingshan.risk.v1.RiskRegistry over the service layer."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def _call(
        self, context: grpc.aio.ServicerContext[Any, Any], work: Callable[[], Awaitable[T]]
    ) -> T:
        """Run a method's work. The caller was verified by the core's interceptor (READ_ROLES,
        as over HTTP: no public, no handling units); domain and service errors reach the core's
        error interceptor (qingshan_core.grpc_errors)."""
        return await work()

    async def GetRiskSource(self, request: Any, context: Any) -> pb.GetRiskSourceResponse:
        """One risk source by id or credit code."""

        async def work() -> pb.GetRiskSourceResponse:
            e = await registry.get_enterprise(self.deps, request.id)
            return pb.GetRiskSourceResponse(source=source_message(e))

        return await self._call(context, work)

    async def ListRiskSources(self, request: Any, context: Any) -> pb.ListRiskSourcesResponse:
        """Risk sources, filtered."""

        async def work() -> pb.ListRiskSourcesResponse:
            page = await registry.list_enterprises(
                self.deps,
                level=request.level or None,
                park_cluster=request.park_cluster or None,
                list_name=request.list_name or None,
                limit=min(max(request.limit, 0) or 100, 500),
                offset=max(request.offset, 0),
            )
            return pb.ListRiskSourcesResponse(
                sources=[source_message(e) for e in page.items], total=page.total
            )

        return await self._call(context, work)

    async def ValidateWasteCode(self, request: Any, context: Any) -> pb.ValidateWasteCodeResponse:
        """A code against the catalogue in force on a date (refusals are answers, not errors)."""

        async def work() -> pb.ValidateWasteCodeResponse:
            on = _day(request.on_date, self.deps)
            check = catalogue.validate_code(self.deps, request.code, on)
            answer = pb.ValidateWasteCodeResponse(
                status=_STATUS[check.status],
                reason_zh=check.reason_zh,
                reason_en=check.reason_en,
                in_force_version=check.in_force or "",
                checked_against_version=check.checked_against or "",
                on_date=on.isoformat(),
            )
            if check.entry is not None:
                e = check.entry
                answer.entry.CopyFrom(
                    pb.WasteCatalogueEntry(
                        code=e.code.value,
                        category=e.category,
                        category_name=e.category_name,
                        industry_code=e.industry_code,
                        hazards=[h.value for h in e.hazards],
                    )
                )
            return answer

        return await self._call(context, work)

    async def CheckLicence(self, request: Any, context: Any) -> pb.CheckLicenceResponse:
        """May the receiver take the waste on the date?"""

        async def work() -> pb.CheckLicenceResponse:
            on = _day(request.on_date, self.deps)
            result = await licences.check_licence(
                self.deps, request.receiver_credit_code, request.waste_code, on
            )
            return pb.CheckLicenceResponse(
                allowed=result.ok,
                licence_number=result.licence_number or "",
                reason_zh=result.reason_zh,
                reason_en=result.reason_en,
            )

        return await self._call(context, work)

    async def GetIndicators(self, request: Any, context: Any) -> pb.GetIndicatorsResponse:
        """Indicators 11 and 12 for a period."""

        async def work() -> pb.GetIndicatorsResponse:
            start = _moment(request.start, "start")
            end = _moment(request.end, "end")
            as_of = _moment(request.as_of, "as_of", self.deps.clock())
            values = await compute_indicators(self.deps, start, end, as_of)
            return pb.GetIndicatorsResponse(indicators=[_indicator(v) for v in values])

        return await self._call(context, work)


def registrar(servicer: RiskRegistryServicer) -> Callable[[grpc.aio.Server], None]:
    """The add_*_to_server call for the runtime's gRPC server."""

    def add(server: grpc.aio.Server) -> None:
        pb_grpc.add_RiskRegistryServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]

    return add
