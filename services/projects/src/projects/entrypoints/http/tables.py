"""Import and export of the reserve table (CSV or XLSX) and the import records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from projects.entrypoints.http.deps import PLANNERS, actor, context
from projects.entrypoints.http.errors import ERRORS, ErrorOut, aware_instant
from projects.entrypoints.http.upload import UPLOAD_DOC, XLSX_TYPE, read_upload
from projects.service_layer import queries
from projects.service_layer.context import Context
from projects.service_layer.imports import ImportFile, import_table
from qingshan_core.auth import Principal, Staff, require_roles

router = APIRouter(prefix="/v1", tags=["import/export 导入导出"], responses=ERRORS)
Ctx = Annotated[Context, Depends(context)]
Planner = Annotated[Principal, Depends(require_roles(*PLANNERS))]


class ImportRead(BaseModel):
    """What an accepted import did; `changed` false (and no id) when it changed nothing."""

    import_id: str | None
    changed: bool
    format: str
    sha256: str
    dry_run: bool = False
    rows: int
    added: int
    corrected: int
    unchanged: int
    absent: int
    message: str


class ImportRecordRead(BaseModel):
    """An import that changed the reserve."""

    id: str
    file_name: str
    format: str
    sha256: str
    by: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    added: int
    corrected: int
    unchanged: int
    absent: int


REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorOut,
        "description": "每个有问题的行和列及原因，未写入任何数据 / every bad row+column",
    }
}


@router.post("/imports", response_model=ImportRead, responses=REFUSED, openapi_extra=UPLOAD_DOC)
async def import_file(
    request: Request,
    ctx: Ctx,
    who: Planner,
    format: Annotated[Literal["csv", "xlsx"] | None, Query(description="默认按文件判断")] = None,
    dry_run: Annotated[
        bool, Query(description="预检：全部校验并给出将变更的数量，不写入 / check only")
    ] = False,
) -> ImportRead:
    """Import a reserve table (CSV/XLSX), all or nothing; the same file again changes nothing.
    With `dry_run`, every check runs and the answer says what the import would change."""
    upload = await read_upload(request, request.app.state.settings.import_max_bytes)
    fmt = format
    if fmt is None and upload.content_type == XLSX_TYPE:
        fmt = "xlsx"
    out = await import_table(
        ctx, ImportFile(upload.data, upload.file_name, fmt), by=actor(who), dry_run=dry_run
    )
    if dry_run:
        message = (
            f"预检通过：将新增{out.added}项，更正{out.corrected}项，未变{out.unchanged}项；"
            f"尚未写入 / check passed: would add {out.added}, correct {out.corrected}"
        )
    elif out.changed:
        message = (
            f"导入成功：新增{out.added}项，更正{out.corrected}项，未变{out.unchanged}项 / "
            f"imported: {out.added} added, {out.corrected} corrected, {out.unchanged} unchanged"
        )
    else:
        message = (
            "文件内容与库中一致，未作任何更改 / nothing to change: the reserve already matches"
        )
    return ImportRead(
        import_id=out.import_id,
        changed=out.changed,
        format=out.format,
        sha256=out.sha256,
        dry_run=dry_run,
        rows=out.rows,
        added=out.added,
        corrected=out.corrected,
        unchanged=out.unchanged,
        absent=out.absent,
        message=message,
    )


@router.get("/imports", response_model=list[ImportRecordRead])
async def list_imports(
    ctx: Ctx, _: Staff, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[ImportRecordRead]:
    """The latest imports that changed the reserve, newest first."""
    records = await ctx.imports.recent(limit)
    return [
        ImportRecordRead(
            id=r.id,
            file_name=r.file_name,
            format=r.format,
            sha256=r.sha256,
            by=r.by,
            status=r.status,
            started_at=r.started_at,
            completed_at=r.completed_at,
            added=r.added,
            corrected=r.corrected,
            unchanged=r.unchanged,
            absent=r.absent,
        )
        for r in records
    ]


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}},
)
async def export_file(
    ctx: Ctx,
    _: Staff,
    format: Literal["csv", "xlsx"] = "csv",
    header: Annotated[Literal["en", "zh"], Query(description="en: 英文列名; zh: 中文表头")] = "en",
    bom: Annotated[bool, Query(description="CSV 加 BOM，便于 Excel 直接打开")] = False,
    as_of: datetime | None = None,
    include_withdrawn: bool = False,
) -> Response:
    """Download the reserve as the same table it is imported from (CSV or XLSX)."""
    data = await queries.export_table(
        ctx,
        format,
        header=header,
        as_of=aware_instant(as_of),
        include_withdrawn=include_withdrawn,
        bom=bom,
    )
    name = f"项目储备库.{format}"
    media = XLSX_TYPE if format == "xlsx" else "text/csv; charset=utf-8"
    disposition = f"attachment; filename=reserve_projects.{format}; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media, headers={"Content-Disposition": disposition})
