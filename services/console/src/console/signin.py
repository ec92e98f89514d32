"""Sign-in, the session and the signed-in person — the one module the identity provider's
authorization-code + PKCE sign-in replaces.

Today: a development sign-in that picks a demo person and mints their bearer token with the
development secret (only in development and test). The session is that bearer token in an
HttpOnly cookie; every page reads the person from it and calls the services with it. When the
OIDC sign-in lands, `/signin` redirects to the provider, its callback stores the provider's
token in the same cookie, and `person()` verifies it against the provider's keys: nothing else
in the console changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qingshan_core.auth import ROLE_LABELS, AuthError, Principal, Role, TokenCodec

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    role: Role
    unit: str | None = None
    home: str | None = None  # where they start, when not their role's home
    job: str = ""  # what they do, shown on the sign-in page

    @property
    def subject(self) -> str:
        return f"demo-{self.key}"


DEMO_PEOPLE = (
    DemoPerson("operator", "王丽", Role.OPERATOR),
    DemoPerson("unit-01", "李强", Role.UNIT_HANDLER, "town-01"),
    DemoPerson("unit-02", "陈静", Role.UNIT_HANDLER, "town-02"),
    DemoPerson("supervisor", "赵敏", Role.SUPERVISOR),
    DemoPerson("admin", "周峰", Role.ADMIN),
    # Part 2: the project reserve's planner (规划科, a supervisor account: import and adjust),
    # the emergency officer (应急值守, a supervisor account: incidents and the risk map) and
    # the head of 东城街道 (a unit account reading its inbox).
    DemoPerson("planner", "孙涛", Role.SUPERVISOR, home="/reserve", job="规划科"),
    DemoPerson("emergency", "刘洋", Role.SUPERVISOR, home="/risk/map", job="应急值守"),
    DemoPerson("unit-head-01", "黄伟", Role.UNIT_HANDLER, "town-01", home="/inbox", job="负责人"),
)
HOME = {
    Role.OPERATOR: "/cases?queue=unassigned",
    Role.UNIT_HANDLER: "/cases?queue=mine",
    Role.SUPERVISOR: "/dashboard",
    Role.ADMIN: "/dashboard",
}


@dataclass(frozen=True)
class Session:
    """The signed-in person and the token the console calls the services with."""

    principal: Principal
    token: str

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.principal.role]


class SignInRequired(Exception):
    """No session, or it expired: back to sign-in, then to `next`."""

    def __init__(self, next_path: str = "/", expired: bool = True) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


def _codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.token_codec
    return codec


def safe_next(target: str | None) -> str:
    """Only paths of this console (never another site) are followed after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def here(request: Request) -> str:
    """The page the person was on (htmx says which; a form post comes from its referrer)."""
    for header in ("HX-Current-URL", "Referer"):
        if value := request.headers.get(header):
            parts = urlsplit(value)
            if parts.netloc in ("", request.url.netloc):
                return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    if request.method == "GET":
        return safe_next(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        )
    return "/"


def session(request: Request) -> Session:
    """FastAPI dependency: the signed-in person, or SignInRequired."""
    token = request.cookies.get(request.app.state.settings.session_cookie)
    if not token:  # never signed in, or the session ended while working (an htmx request)
        raise SignInRequired(here(request), expired=bool(request.headers.get("HX-Request")))
    try:
        principal = _codec(request).verify(token)
    except AuthError as exc:
        raise SignInRequired(here(request)) from exc
    if principal.role is Role.PUBLIC:
        raise SignInRequired(here(request))
    return Session(principal, token)


def public_token(request: Request) -> str:
    """The token the reporter pages call the services with (the `public` role, as the mobile
    app does); with the identity provider, the console's own client-credentials token."""
    return _codec(request).issue("console-h5", Role.PUBLIC, ttl=timedelta(minutes=5))


def signin_redirect(request: Request, next_path: str, expired: bool = True) -> Response:
    """Where an expired session goes: a full page is redirected, an htmx request told to go."""
    url = f"/signin?next={quote(next_path, safe='')}" + ("&expired=1" if expired else "")
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request, next: str = "/", expired: int = 0) -> Response:
    settings = request.app.state.settings
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "signin.html",
        {
            "people": DEMO_PEOPLE if settings.dev_signin else (),
            "next": safe_next(next),
            "expired": bool(expired),
            "units": request.app.state.unit_names,
        },
    )
    return response


@router.post("/signin")
async def signin(request: Request, person: str = Form(...), next: str = Form("/")) -> Response:
    settings = request.app.state.settings
    chosen = {p.key: p for p in DEMO_PEOPLE}.get(person)
    if not settings.dev_signin or chosen is None:
        return RedirectResponse("/signin", status_code=303)
    token = _codec(request).issue(
        chosen.subject,
        chosen.role,
        unit=chosen.unit,
        name=chosen.name,
        ttl=timedelta(hours=settings.session_hours),
    )
    target = safe_next(next)
    if target == "/":
        target = chosen.home or HOME[chosen.role]
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        settings.session_cookie,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(request.app.state.settings.session_cookie)
    return response
