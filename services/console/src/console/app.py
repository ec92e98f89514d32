"""The console's ASGI app: pages, partials, the front-end packages it serves itself, health."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from console import labels
from console.api import Api, ApiError
from console.config import PACKAGE, Settings
from console.cookie_session import EncryptedSessionMiddleware, SessionCodec
from console.limits import ReporterLimits
from console.public_client import PublicClient
from console.signin import HOME, SignInRequired, provider, session, signin_redirect
from console.signin import router as signin_router
from console.units import unit_names
from console.views import (
    inbox,
    intake,
    notify_admin,
    notify_directory,
    notify_rules,
    public,
    registry,
    reserve,
    reserve_changes,
    risk,
    supervisor,
    waste,
    work,
)
from qingshan_core.logging import configure_logging
from qingshan_core.workdays import SHANGHAI

# What the console serves of each npm package, under /assets/<name>/.
PAGES = (work, intake, supervisor, public, reserve, reserve_changes, risk, inbox)
ASSET_DIRS = {"htmx": "htmx.org/dist", "echarts": "echarts/dist", "leaflet": "leaflet/dist"}


def when(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An API datetime (ISO 8601) as people read it, in Beijing time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(SHANGHAI).strftime(fmt) if moment.tzinfo else moment.strftime(fmt)


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=PACKAGE / "templates")
    t.env.filters["when"] = when
    t.env.globals["labels"] = labels  # the owners' catalogue (console.labels), for every page
    return t


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(s.service_name, s.log_level, s.log_json)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call is noise
        app.state.settings = s
        app.state.public_client = PublicClient(
            s.oidc_issuer,
            s.public_client_id,
            s.public_client_secret.get_secret_value(),
            s.oidc_timeout_seconds,
        )
        app.state.reporter_limits = ReporterLimits(s)
        app.state.idp = provider(s)
        app.state.api = Api(s.upstreams, s.api_timeout_seconds)
        app.state.templates = templates()
        app.state.unit_names = unit_names()
        app.state.reply_templates = json.loads((PACKAGE / "reply_templates.json").read_text())
        try:
            yield
        finally:
            await app.state.api.close()
            await app.state.public_client.close()

    app = FastAPI(title="qingshan console", lifespan=lifespan, docs_url=None, redoc_url=None)
    codec = SessionCodec(s.session_secret.get_secret_value(), int(s.session_hours * 3600))
    app.add_middleware(
        EncryptedSessionMiddleware, codec=codec, cookie=s.session_cookie, secure=s.secure_cookies
    )
    app.mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static")
    for name, sub in ASSET_DIRS.items():
        app.mount(f"/assets/{name}", StaticFiles(directory=s.assets_dir / sub), name=name)
    app.include_router(signin_router)
    for module in (*PAGES, registry, waste, notify_admin, notify_rules, notify_directory):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _signin(request: Request, exc: SignInRequired) -> Response:
        return signin_redirect(request, exc.next_path, exc.expired)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        status = exc.status if exc.status < 500 else 503
        t: Jinja2Templates = request.app.state.templates
        name = "_error.html" if request.headers.get("HX-Request") else "error.html"
        response = t.TemplateResponse(request, name, {"error": exc}, status_code=status)
        if request.headers.get("HX-Request"):
            # htmx swaps error answers only when told to: show it in the form's error slot.
            response.headers["HX-Retarget"] = request.headers.get("X-Error-Target", "#flash")
            response.headers["HX-Reswap"] = "innerHTML"
        return response

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        return RedirectResponse(HOME[(await session(request)).role], status_code=303)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        api = getattr(request.app.state, "api", None)
        if api is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        checks = await api.ready()
        ok = all(checks.values())
        body = {"status": "ready" if ok else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return HTMLResponse(status_code=204)

    return app
