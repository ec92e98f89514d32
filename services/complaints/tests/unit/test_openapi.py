"""complaints' OpenAPI documents every answer: each route's success response has a schema
(a response model), so a client can be generated from /openapi.json alone."""

from __future__ import annotations

import pytest

from complaints.bootstrap import create_app

pytestmark = pytest.mark.unit
METHODS = ("get", "post", "put", "patch", "delete")


def test_every_route_declares_its_answer() -> None:
    spec = create_app().openapi()  # no lifespan needed
    undocumented = []
    for path, item in spec["paths"].items():
        if not path.startswith(("/v1/", "/open311/")):
            continue  # health, readiness and metrics belong to the core
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            ok = {k: v for k, v in op["responses"].items() if k.startswith("2")}
            schemas = [
                media.get("schema")
                for answer in ok.values()
                for media in answer.get("content", {}).values()
            ]
            if not ok or not all(s and s != {} for s in schemas) or not schemas:
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []


def test_a_case_answer_names_its_members() -> None:
    spec = create_app().openapi()
    case = spec["components"]["schemas"]["ComplaintOut"]["properties"]
    for member in ("id", "tracking_code", "status_label", "deadlines", "complainant", "clocks"):
        assert member in case
