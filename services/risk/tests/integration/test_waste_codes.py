"""Waste-code validation against the catalogue by date, over HTTP and gRPC; licence checks."""

from __future__ import annotations

from datetime import date

import grpc
import pytest

from qingshan.risk.v1 import risk_service_pb2 as pb
from qingshan.risk.v1 import risk_service_pb2_grpc as pb_grpc

from .conftest import credit_code

pytestmark = pytest.mark.integration

UNKNOWN_2021 = "900-999-08"  # well-formed, HW08 exists, not in the 2021 list


async def test_known_code_answers_with_its_entry(service):
    r = await service.client.get(
        "/v1/waste-codes/900-249-08", params={"on": "2024-05-01"}, headers=service.auth("operator")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "accepted" and body["category"] == "HW08"
    assert body["in_force"] == "2021" and body["warning"] is None


async def test_hw42_is_refused_with_the_field_named(service):
    r = await service.client.get("/v1/waste-codes/900-001-42", headers=service.auth("operator"))
    assert r.status_code == 422
    detail = r.json()["errors"][0]
    assert detail["field"] == "code" and "HW42" in detail["detail"]
    r = await service.client.get("/v1/waste-codes/90-001-08", headers=service.auth("operator"))
    assert r.status_code == 422


async def test_unknown_code_after_2025_is_accepted_with_a_warning(service):
    assert UNKNOWN_2021 not in (service.deps.catalogues.current.versions[0].entries or {})
    headers = service.auth("integration")
    r = await service.client.get(
        f"/v1/waste-codes/{UNKNOWN_2021}", params={"on": "2025-03-01"}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted_with_warning"
    assert "2025" in r.json()["warning"] and r.json()["in_force"] == "2025"
    r = await service.client.get(
        f"/v1/waste-codes/{UNKNOWN_2021}", params={"on": "2024-12-31"}, headers=headers
    )
    assert r.status_code == 404 and r.json()["status"] == "refused"


async def test_grpc_validation_and_licence_check(service):
    holder = credit_code()
    r = await service.client.post(
        "/v1/licences",
        json={
            "number": f"渝危废{holder[-6:]}",
            "holder_credit_code": holder,
            "holder_name": "某处置公司",
            "kind": "综合",
            "valid_from": "2024-01-01",
            "categories": ["HW08"],
        },
        headers=service.auth("supervisor"),
    )
    assert r.status_code == 201, r.text
    token = service.codec.issue("other-department", "integration")
    meta = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{service.settings.grpc_port}") as channel:
        stub = pb_grpc.RiskRegistryStub(channel)
        hw42 = await stub.ValidateWasteCode(
            pb.ValidateWasteCodeRequest(code="900-001-42"), metadata=meta
        )
        assert hw42.status == pb.WASTE_CODE_STATUS_REFUSED and "HW42" in hw42.reason_zh
        warned = await stub.ValidateWasteCode(
            pb.ValidateWasteCodeRequest(code=UNKNOWN_2021, on_date="2025-02-01"), metadata=meta
        )
        assert warned.status == pb.WASTE_CODE_STATUS_ACCEPTED_WITH_WARNING
        known = await stub.ValidateWasteCode(
            pb.ValidateWasteCodeRequest(code="900-249-08", on_date="2024-02-01"), metadata=meta
        )
        assert known.status == pb.WASTE_CODE_STATUS_ACCEPTED and known.entry.category == "HW08"

        ok = await stub.CheckLicence(
            pb.CheckLicenceRequest(
                receiver_credit_code=holder, waste_code="900-249-08", on_date="2024-06-01"
            ),
            metadata=meta,
        )
        assert ok.allowed and ok.licence_number.startswith("渝危废")
        no = await stub.CheckLicence(
            pb.CheckLicenceRequest(
                receiver_credit_code=holder, waste_code="841-001-01", on_date="2024-06-01"
            ),
            metadata=meta,
        )
        assert not no.allowed and "841-001-01" in no.reason_zh
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await stub.CheckLicence(
                pb.CheckLicenceRequest(receiver_credit_code="123", waste_code="x"),
                metadata=meta,
            )
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await stub.ValidateWasteCode(pb.ValidateWasteCodeRequest(code="900-249-08"))
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
        # Handling units and the public have no risk access, over gRPC as over HTTP.
        for role, unit in (("unit_handler", "town-01"), ("public", None)):
            token = service.auth(role, unit=unit)["Authorization"]
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.ListRiskSources(
                    pb.ListRiskSourcesRequest(), metadata=(("authorization", token),)
                )
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_rest_licence_check_one_call(service):
    holder = credit_code()
    headers = service.auth("admin")
    await service.client.post(
        "/v1/licences",
        json={
            "number": f"渝收{holder[-6:]}",
            "holder_credit_code": holder,
            "holder_name": "某收集公司",
            "kind": "收集",
            "valid_from": "2023-01-01",
            "codes": ["900-249-08"],
        },
        headers=headers,
    )
    params = {"receiver": holder, "code": "900-249-08"}
    inside = await service.client.get(
        "/v1/licence-check", params={**params, "on": "2025-12-31"}, headers=headers
    )
    after = await service.client.get(
        "/v1/licence-check", params={**params, "on": "2026-01-01"}, headers=headers
    )
    assert inside.json()["allowed"] is True
    assert after.json()["allowed"] is False and "到期" in after.json()["reason_zh"]
    too_long = await service.client.post(
        "/v1/licences",
        json={
            "number": f"渝收X{holder[-6:]}",
            "holder_credit_code": holder,
            "holder_name": "某收集公司",
            "kind": "收集",
            "valid_from": "2023-01-01",
            "valid_until": str(date(2026, 6, 1)),
            "codes": ["900-249-08"],
        },
        headers=headers,
    )
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "valid_until"
