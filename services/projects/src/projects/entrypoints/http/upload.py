"""Reading an uploaded table: multipart/form-data (field `file`) or the raw file as the body.

The standard library's email parser reads multipart bodies, so the service needs no extra
dependency for uploads (python-multipart is not in the lock file).
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from fastapi import Request

from projects.entrypoints.http.errors import FieldError

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@dataclass(frozen=True)
class Upload:
    """The uploaded bytes and what the client called them."""

    data: bytes
    file_name: str
    content_type: str


def _too_big(limit: int) -> FieldError:
    mb = limit // (1024 * 1024)
    return FieldError("file", f"文件超过 {mb} MB 上限", f"the file exceeds the {mb} MB limit")


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _file_part(content_type: str, body: bytes) -> EmailMessage | None:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return None
    parts = list(message.iter_parts())
    for part in parts:
        if part.get_param("name", header="content-disposition") == "file":
            return part if isinstance(part, EmailMessage) else None
    # Tolerate a client that named the field otherwise but sent exactly one file.
    files = [p for p in parts if p.get_filename() is not None]
    return files[0] if len(files) == 1 and isinstance(files[0], EmailMessage) else None


async def read_upload(request: Request, limit: int) -> Upload:
    """The uploaded file, from multipart/form-data or a raw body; 422 on `file` otherwise."""
    content_type = request.headers.get("content-type", "")
    body = await _body(request, limit)
    if content_type.lower().startswith("multipart/form-data"):
        part = _file_part(content_type, body)
        if part is None:
            raise FieldError(
                "file", "请以表单字段 file 上传文件", "upload the table as form field `file`"
            )
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = part.get_filename() or ""
        return Upload(data, name, part.get_content_type())
    if not body:
        raise FieldError("file", "没有上传文件", "no file was uploaded")
    return Upload(body, request.headers.get("x-file-name", ""), content_type)
