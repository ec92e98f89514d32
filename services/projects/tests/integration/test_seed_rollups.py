"""The plan's table seeded at start gives the preamble's figures exactly, over HTTP and gRPC."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest

from qingshan.projects.v1 import projects_service_pb2 as pb
from qingshan.projects.v1 import projects_service_pb2_grpc as pb_grpc
from qingshan_core.auth import Role
from qingshan_core.mongo import create_client

from .conftest import PLAN_EXCERPT, Service

pytestmark = pytest.mark.integration

# 第九章 项目储备库 preamble: field code → (亿元, projects, sub-items).
FIELDS = {
    "F1": ("43.6350", 6, 15),
    "F2": ("42.6905", 6, 37),
    "F3": ("20.3100", 4, 18),
    "F4": ("1.0950", 2, 6),
    "F5": ("0.0350", 2, 5),
    "F6": ("0.4250", 3, 9),
}


async def test_http_rollups_reproduce_the_preamble(seeded: Service) -> None:
    h = seeded.auth(Role.OPERATOR)
    r = await seeded.client.get("/v1/rollups", params={"by": "field"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == {
        "projects": 23,
        "subitems": 90,
        "investment_wan": "1081905",
        "investment_yi": "108.1905",
        "yi_text": "108.1905",
    }
    got = {g["key"]: (g["yi_text"], g["projects"], g["subitems"]) for g in body["groups"]}
    assert got == FIELDS
    r = await seeded.client.get("/v1/rollups", params={"by": "source_class"}, headers=h)
    groups = {g["key"]: g for g in r.json()["groups"]}
    confirmed, planned = groups["district_confirmed"], groups["planned"]
    assert (confirmed["subitems"], confirmed["yi_text"], confirmed["share_pct"]) == (
        40,
        "82.0855",
        "75.87",
    )
    assert (planned["subitems"], planned["yi_text"], planned["share_pct"]) == (
        50,
        "26.1050",
        "24.13",
    )


@pytest.mark.parametrize("by", ["lead_unit", "year", "project", "stage"])
async def test_other_rollups_count_each_subitem_once_in_the_total(seeded: Service, by: str) -> None:
    r = await seeded.client.get("/v1/rollups", params={"by": by}, headers=seeded.auth(Role.ADMIN))
    body = r.json()
    assert r.status_code == 200
    assert body["total"]["subitems"] == 90 and body["total"]["investment_wan"] == "1081905"
    if by in ("lead_unit", "year"):
        assert body["overlapping"] and "合计只计一次" in body["note_zh"]
        assert sum(g["subitems"] for g in body["groups"]) > 90
    else:
        assert sum(g["subitems"] for g in body["groups"]) == 90
    if by == "project":
        assert len(body["groups"]) == 23


async def test_preamble_sentences_are_in_the_plan(seeded: Service) -> None:
    r = await seeded.client.get("/v1/rollups/preamble", headers=seeded.auth(Role.INTEGRATION))
    assert r.status_code == 200
    p = r.json()
    assert p["total_sentence"] == "共计23个项目和90个子项，投资总额108.1905亿元"
    plan = "".join(PLAN_EXCERPT.read_text(encoding="utf-8").split())
    for sentence in [p["total_sentence"], *p["field_sentences"]]:
        assert sentence in plan, sentence
    assert "区级已初步确定40项，投资额82.0855亿元，占总投资的75.87" in p["source_sentence"]


async def test_grpc_reads(seeded: Service) -> None:
    meta = (("authorization", f"Bearer {seeded.token(Role.INTEGRATION)}"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{seeded.settings.grpc_port}") as ch:
        stub = pb_grpc.ProjectsServiceStub(ch)
        r = await stub.GetRollup(pb.GetRollupRequest(by=pb.ROLLUP_BY_FIELD), metadata=meta)
        assert (r.total.subitems, r.total.projects, r.total.investment_yi) == (90, 23, "108.1905")
        got = {g.key: (g.investment_yi, g.projects, g.subitems) for g in r.groups}
        assert got == FIELDS
        r = await stub.GetRollup(pb.GetRollupRequest(by=pb.ROLLUP_BY_SOURCE_CLASS), metadata=meta)
        assert [(g.key, g.subitems, g.share_pct) for g in r.groups] == [
            ("district_confirmed", 40, "75.87"),
            ("planned", 50, "24.13"),
        ]
        past = pb.GetRollupRequest(by=pb.ROLLUP_BY_STAGE)
        past.as_of.FromDatetime(datetime(2021, 1, 1, tzinfo=UTC))
        before_seed = await stub.GetRollup(past, metadata=meta)
        assert before_seed.total.subitems == 0 and before_seed.as_of == past.as_of
        listed = await stub.ListSubItems(
            pb.ListSubItemsRequest(lead_unit="区生态环境局", limit=5), metadata=meta
        )
        assert listed.total > 5 and len(listed.subitems) == 5
        assert all("区生态环境局" in s.lead_units for s in listed.subitems)
        one = await stub.GetSubItem(
            pb.GetSubItemRequest(subitem_id=listed.subitems[0].id), metadata=meta
        )
        assert one.subitem.investment_wan == listed.subitems[0].investment_wan
        project = await stub.GetProject(
            pb.GetProjectRequest(project_id=one.subitem.project_id), metadata=meta
        )
        assert one.subitem.id in {s.id for s in project.subitems}
        ind = await stub.GetIndicators(pb.GetIndicatorsRequest(year=2025), metadata=meta)
        assert len(ind.indicators) == 18 and ind.year == 2025
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetSubItem(pb.GetSubItemRequest(subitem_id="nope"), metadata=meta)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await stub.GetRollup(pb.GetRollupRequest(by=pb.ROLLUP_BY_FIELD))
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.aio.AioRpcError) as no_by:
            await stub.GetRollup(pb.GetRollupRequest(), metadata=meta)
        assert no_by.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_two_replicas_seeding_together_do_not_double(
    infra: dict[str, str], service_factory: Callable[..., Any]
) -> None:
    db = f"t_projects_twin_{uuid.uuid4().hex[:8]}"
    up = [asyncio.Event(), asyncio.Event()]
    release = asyncio.Event()

    async def replica(ready: asyncio.Event) -> None:
        async with service_factory(seed=True, mongo_db=db):
            ready.set()  # the lifespan ran wire(), so this replica's seed is done
            await release.wait()

    tasks = [asyncio.create_task(replica(e)) for e in up]
    client = create_client(infra["mongo_uri"], "qingshan-tests")
    try:
        waiting = asyncio.gather(*(e.wait() for e in up))
        done, _ = await asyncio.wait([waiting, *tasks], timeout=60, return_when="FIRST_COMPLETED")
        assert waiting in done, [t.exception() for t in tasks if t.done()]
        assert await client[db].subitems.count_documents({}) == 90
        assert await client[db].indicators.count_documents({}) == 18
        assert await client[db].imports.count_documents({}) == 1
        assert await client[db].imports.count_documents({"status": "completed"}) == 1
    finally:
        release.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await client.drop_database(db)
        await client.close()


async def test_rollups_and_listing_without_the_snapshot(
    service_factory: Callable[..., Any],
) -> None:
    async with service_factory(seed=True, rows_cache_seconds=0) as svc:
        h = svc.auth(Role.OPERATOR)
        r = await svc.client.get("/v1/rollups", params={"by": "field"}, headers=h)
        got = {g["key"]: (g["yi_text"], g["projects"], g["subitems"]) for g in r.json()["groups"]}
        assert got == FIELDS
        page = await svc.client.get(
            "/v1/subitems", params={"year": 2021, "source_class": "planned", "limit": 3}, headers=h
        )
        body = page.json()
        assert len(body["items"]) == 3 and body["total"] > 3
        assert all(
            i["source_class"] == "planned" and i["start_year"] <= 2021 for i in body["items"]
        )
        assert [i["no"] for i in body["items"]] == sorted(i["no"] for i in body["items"])
