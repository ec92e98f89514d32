"""What the console's work pages need besides the case itself: the queues' live counts, the
duplicate hints while a report is typed, and the internal notes of a case."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request

from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS, NOT_FOUND
from complaints.entrypoints.http.responses import (
    ComplaintItems,
    NoteList,
    NoteOut,
    QueueCount,
    QueueCounts,
)
from complaints.entrypoints.http.schemas import DraftIn, NoteIn
from complaints.entrypoints.http.units import registered_unit
from complaints.entrypoints.http.views import actor_of, complaint_view, note_view
from complaints.service_layer.cases import visible_case
from complaints.service_layer.duplicate_hints import Draft, possible_duplicates
from complaints.service_layer.listing import QUEUE_LABELS, queue_counts
from complaints.service_layer.notes import add_note, notes_of
from qingshan_core.auth import STAFF, Principal, require_roles
from qingshan_core.auth import Role as R

router = APIRouter(
    prefix="/v1/complaints",
    tags=["complaints 信访投诉"],
    responses=ERRORS,
    dependencies=[Depends(registered_unit)],  # a unit handler's unit is a registry unit
)
INTAKE = (R.OPERATOR, R.SUPERVISOR, R.ADMIN, R.INTEGRATION)


@router.get("/queues", summary="工作队列计数 / live counts of the work queues")
async def queues(request: Request, p: Principal = Depends(require_roles(*STAFF))) -> QueueCounts:
    """How many open cases each queue holds for the caller (a unit: its own cases only)."""
    counts = await queue_counts(ctx_of(request), actor_of(p))
    return QueueCounts(
        items=[
            QueueCount(queue=q.value, label=label, count=counts[q.value])
            for q, label in QUEUE_LABELS.items()
        ]
    )


@router.post(
    "/duplicates",
    summary="疑似重复 / possible duplicates of a draft report",
    response_model=ComplaintItems,
    response_model_exclude_unset=True,
)
async def duplicates(
    body: DraftIn, request: Request, p: Principal = Depends(require_roles(*INTAKE))
) -> ComplaintItems:
    """The open cases a report with this category and place (and phone) would duplicate,
    earliest first; nothing is stored."""
    draft = Draft(
        category=body.category,
        address=body.location.address,
        town=body.location.town,
        lat=body.location.lat,
        lon=body.location.lon,
        phone=body.phone,
    )
    cases = await possible_duplicates(ctx_of(request), draft)
    return ComplaintItems(items=[complaint_view(c, p, detail=False) for c in cases])


@router.get(
    "/{complaint_id}/notes", summary="内部备注 / internal notes of a case", responses=NOT_FOUND
)
async def list_notes(
    request: Request,
    complaint_id: str = Path(max_length=64),
    p: Principal = Depends(require_roles(*STAFF)),
) -> NoteList:
    """Oldest first; kept apart from the reply and never shown to the reporter."""
    await visible_case(ctx_of(request), complaint_id, actor_of(p))
    notes = await notes_of(ctx_of(request), complaint_id)
    return NoteList(items=[note_view(n) for n in notes])


@router.post(
    "/{complaint_id}/notes",
    status_code=201,
    summary="添加内部备注 / add an internal note",
    responses=NOT_FOUND,
)
async def post_note(
    body: NoteIn,
    request: Request,
    complaint_id: str = Path(max_length=64),
    p: Principal = Depends(require_roles(*STAFF)),
) -> NoteOut:
    """Anyone who may see the case may note on it."""
    await visible_case(ctx_of(request), complaint_id, actor_of(p))
    note = await add_note(ctx_of(request), complaint_id, actor_of(p), body.text)
    return note_view(note)
