"""Public tracking by code: status, timeline and the reply; no identity, no internal notes."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS, NOT_FOUND
from complaints.entrypoints.http.responses import PublicCase
from complaints.service_layer.queries import track as track_case
from qingshan_core.ratelimit import PER_ADDRESS, TOO_MANY

router = APIRouter(
    prefix="/v1/track",
    tags=["public 公众查询"],
    responses={422: ERRORS[422], **NOT_FOUND, **TOO_MANY},
    dependencies=[PER_ADDRESS],  # codes are unguessable; guessing them is also rate limited
)


@router.get("/{tracking_code}", summary="进度查询 / follow a case")
async def track(
    request: Request,
    tracking_code: str = Path(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z\-]+$"),
) -> PublicCase:
    """Anyone with the (unguessable) code may follow the case."""
    return PublicCase.model_validate(await track_case(ctx_of(request), tracking_code.upper()))
