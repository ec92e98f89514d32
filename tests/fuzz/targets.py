"""The four services as fuzz targets: each app built in process against the test servers, with
its own database (dropped afterwards), a free gRPC port and nothing that reaches outside."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from qingshan_core.auth import Role
from qingshan_core.settings import ServiceSettings
from qingshan_core.testing.ports import free_port

# Preferred first; every allowed role still gets its share of the examples.
ROLES = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.OPERATOR,
    Role.INTEGRATION,
    Role.UNIT_HANDLER,
    Role.PUBLIC,
)
UNIT = "town-01"


@dataclass
class Target:
    """One service to fuzz: how to build its app, and the database to drop afterwards."""

    name: str
    build: Callable[[dict[str, Any]], tuple[FastAPI, ServiceSettings]]


def _common(name: str, infra: dict[str, str]) -> dict[str, Any]:
    return {
        "environment": "test",
        "mongo_uri": infra["mongo_uri"],
        "mongo_db": f"fuzz_{name}_{uuid.uuid4().hex[:10]}",
        "kafka_bootstrap": infra["bootstrap"],
        "grpc_port": free_port(),
        "log_level": "WARNING",
        "relay_poll_seconds": 0.5,
        "http_rate_limit_enabled": False,  # thousands of examples from one address, on purpose
    }


def _complaints(infra: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from complaints.bootstrap import create_app
    from complaints.config import Settings

    s = Settings(**_common("complaints", infra), id_prefix="FUZZ", sweep_seconds=3600)
    return create_app(s), s


def _projects(infra: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from projects.bootstrap import create_app
    from projects.config import Settings

    s = Settings(**_common("projects", infra), dispatch_first_delay_seconds=3600)
    return create_app(s), s


def _risk(infra: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from risk.bootstrap import create_app
    from risk.config import Settings

    s = Settings(**_common("risk", infra), sweep_interval_seconds=3600)
    return create_app(s), s


def _notify(infra: dict[str, Any]) -> tuple[FastAPI, ServiceSettings]:
    from notify.bootstrap import create_app
    from notify.config import Settings

    tag = uuid.uuid4().hex[:10]
    # Its own (empty) topics, and every channel pointed at this machine: fuzzed recipients and
    # direct messages must not reach anybody.
    s = Settings(
        **_common("notify", infra),
        consume_topics=[f"fuzz.notify.{tag}"],
        consumer_name=f"fuzz{tag}",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        smtp_timeout_seconds=1,
        sms_gateway_url="",
        webhook_allowed_hosts=["127.0.0.1"],
        webhook_timeout_seconds=1,
    )
    return create_app(s), s


TARGETS = {
    "complaints": Target("complaints", _complaints),
    "projects": Target("projects", _projects),
    "risk": Target("risk", _risk),
    "notify": Target("notify", _notify),
}
