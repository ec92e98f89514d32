"""Import is all or nothing, re-import changes and publishes nothing, export round-trips."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from qingshan_core.auth import Role
from qingshan_core.mongo import create_client

from .conftest import Service, seed_bytes

pytestmark = pytest.mark.integration
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(edit: dict[int, dict[str, str]] | None = None) -> bytes:
    """The seed table with some cells replaced: {序号: {column: value}}."""
    rows = list(csv.DictReader(io.StringIO(seed_bytes().decode("utf-8-sig"))))
    for row in rows:
        row.update((edit or {}).get(int(row["no"]), {}))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def _upload(svc: Service, data: bytes, name: str = "reserve.csv", **h: str) -> object:
    files = {"file": (name, data, XLSX if name.endswith(".xlsx") else "text/csv")}
    return await svc.client.post("/v1/imports", files=files, headers=h)


async def _count(svc: Service, collection: str) -> int:
    client = create_client(svc.settings.mongo_uri, "qingshan-tests")
    try:
        return await client[svc.settings.mongo_db][collection].count_documents({})
    finally:
        await client.close()


async def test_bad_rows_are_all_listed_and_nothing_is_written(empty: Service) -> None:
    bad = _table(
        {
            2: {"investment_wan": "-700"},
            3: {"investment_wan": "一百五十"},
            4: {"field": "七、未知工程"},
            5: {"years": "2025-2021"},
            6: {"lead_units": ""},
        }
    )
    r = await _upload(empty, bad, **empty.auth(Role.SUPERVISOR))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["written"] is False and "未写入任何数据" in body["detail"]
    # The header is row 1, so 序号 n sits on row n + 1.
    where = {(d["row"], d["column"]) for d in body["errors"]}
    assert where == {
        (3, "investment_wan"),
        (4, "investment_wan"),
        (5, "field"),
        (6, "years"),
        (7, "lead_units"),
    }
    for d in body["errors"]:
        assert d["detail"] and d["detail_en"] and d["column_zh"]
    assert "不能为负数" in next(d["detail"] for d in body["errors"] if d["row"] == 3)
    assert await _count(empty, "subitems") == 0
    assert await _count(empty, "imports") == 0


async def test_unreadable_files_are_refused_not_500(empty: Service) -> None:
    h = empty.auth(Role.ADMIN)
    for data, name in [
        (b"", "empty.csv"),
        (b"PK\x03\x04garbage", "broken.xlsx"),
        (b"\xff\xfe", "x"),
    ]:
        r = await _upload(empty, data, name, **h)
        assert r.status_code == 422, (name, r.text)
    raw = await empty.client.post("/v1/imports", content=b"no,field\n", headers=h)
    assert raw.status_code == 422
    assert await _count(empty, "subitems") == 0


async def test_reimport_changes_nothing_and_publishes_nothing(seeded: Service, tail) -> None:
    t = await tail()
    who = "planner-reimport"
    r = await _upload(seeded, seed_bytes(), **seeded.auth(Role.SUPERVISOR, sub=who))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["changed"], body["import_id"], body["added"], body["unchanged"]) == (
        False,
        None,
        0,
        90,
    )
    found = await t.read(lambda e: who.encode() in e.data, expect=1, timeout=4)
    assert found == []
    assert await _count(seeded, "imports") == 1  # the seed's own


async def test_csv_export_is_the_seed_byte_for_byte(seeded: Service) -> None:
    r = await seeded.client.get("/v1/export", headers=seeded.auth(Role.OPERATOR))
    assert r.status_code == 200
    assert r.content == seed_bytes()
    assert "attachment" in r.headers["content-disposition"]


async def test_xlsx_export_imports_into_an_empty_reserve(seeded: Service, empty: Service) -> None:
    r = await seeded.client.get(
        "/v1/export", params={"format": "xlsx", "header": "zh"}, headers=seeded.auth(Role.ADMIN)
    )
    assert r.status_code == 200 and r.content.startswith(b"PK")
    imported = await _upload(empty, r.content, "项目储备库.xlsx", **empty.auth(Role.ADMIN))
    assert imported.status_code == 200, imported.text
    assert (imported.json()["format"], imported.json()["added"]) == ("xlsx", 90)
    again = await empty.client.get("/v1/export", headers=empty.auth(Role.ADMIN))
    assert again.content == seed_bytes()


async def test_corrections_apply_and_adjustable_changes_are_refused(seeded: Service) -> None:
    h = seeded.auth(Role.SUPERVISOR)
    refused = await _upload(seeded, _table({2: {"investment_wan": "800"}}), **h)
    assert refused.status_code == 422
    [issue] = refused.json()["errors"]
    assert (issue["row"], issue["column"]) == (3, "investment_wan")
    assert "动态调整" in issue["detail"]
    fixed = await _upload(seeded, _table({2: {"lead_units": "区生态环境局、区经济信息委"}}), **h)
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["corrected"], fixed.json()["unchanged"]) == (1, 89)
    rows = await seeded.client.get(
        "/v1/subitems", params={"lead_unit": "区经济信息委", "limit": 100}, headers=h
    )
    assert 2 in {i["no"] for i in rows.json()["items"]}


async def test_a_workbook_reaching_xfd1048576_is_a_422_naming_its_size(empty: Service) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["no", "field", "project"])
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    r = await _upload(empty, buf.getvalue(), "big.xlsx", **empty.auth(Role.SUPERVISOR))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["written"] is False and "XFD1048576" in r.text and "工作表过大" in r.text
    assert await _count(empty, "subitems") == 0


async def test_a_dry_run_says_what_would_change_and_writes_nothing(empty: Service) -> None:
    h = empty.auth(Role.SUPERVISOR)
    files = {"file": ("reserve.csv", _table(), "text/csv")}
    r = await empty.client.post("/v1/imports", params={"dry_run": "true"}, files=files, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dry_run"] is True and body["changed"] is False and body["import_id"] is None
    assert body["added"] == body["rows"] > 0 and "尚未写入" in body["message"]
    assert await _count(empty, "subitems") == 0
    assert await _count(empty, "imports") == 0
    bad = {"file": ("reserve.csv", _table({2: {"years": "2025-2021"}}), "text/csv")}
    r = await empty.client.post("/v1/imports", params={"dry_run": "true"}, files=bad, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 3, r.text
