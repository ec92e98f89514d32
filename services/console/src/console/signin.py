"""Sign-in, the session and the signed-in person: the one module that knows how people sign in.

People sign in at the OpenID Connect provider (Keycloak locally, the bureau's identity service
in production) with the authorization code flow and PKCE (S256), through authlib's Starlette
client: `/signin/start` sends the browser to the provider, `/signin/callback` exchanges the code
(with the PKCE verifier) for the provider's tokens and verifies the ID token (signature from
the provider's JWKS, issuer pinned, audience = our client, nonce, expiry). The person (subject,
role, unit, name) is read from that verified ID token; the tokens are kept in the encrypted
HttpOnly session cookie (console.cookie_session). Every page calls the services with the access
token, which carries their four audiences; it is refreshed with the refresh token shortly before
it expires. Signing out ends the provider's session too (RP-initiated logout, `end_session`).
A session that has ended (or a refresh the provider refuses) sends the person to `/signin` with
`next` = the page they were on; the pages keep drafts in sessionStorage, so nothing typed is lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.config import Settings
from qingshan_core.auth import (
    ROLE_LABELS,
    AuthError,
    Principal,
    Role,
    principal_from_claims,
)
from qingshan_core.logging import get_logger

router = APIRouter(include_in_schema=False)
log = get_logger(__name__)
REFRESH_MARGIN = 60.0  # seconds before the access token expires that it is refreshed
HOME = {
    Role.OPERATOR: "/cases?queue=unassigned",
    Role.UNIT_HANDLER: "/cases?queue=mine",
    Role.SUPERVISOR: "/dashboard",
    Role.ADMIN: "/dashboard",
}
STAFF_ROLES = frozenset(HOME)


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


def provider(settings: Settings) -> StarletteOAuth2App:
    """The provider's client: discovery, PKCE S256, the ID token checked against its JWKS."""
    secret = settings.oidc_client_secret.get_secret_value()
    app: StarletteOAuth2App = OAuth().register(
        "idp",
        client_id=settings.oidc_client_id,
        client_secret=secret or None,
        server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile",
            "code_challenge_method": "S256",
            # A confidential client authenticates; a public one proves itself by PKCE alone.
            "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
            "timeout": settings.oidc_timeout_seconds,
        },
    )
    return app


def _idp(request: Request) -> StarletteOAuth2App:
    idp: StarletteOAuth2App = request.app.state.idp
    return idp


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _claims_options(request: Request) -> dict[str, Any]:
    return {"iss": {"essential": True, "values": [_settings(request).oidc_issuer]}}


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


def _base(request: Request) -> str:
    return _settings(request).public_url.rstrip("/") or str(request.base_url).rstrip("/")


def _person(claims: Any) -> dict[str, Any]:
    """The staff member a verified ID token names (AuthError: no console role)."""
    p = principal_from_claims(claims)
    if p.role not in STAFF_ROLES:
        raise AuthError(f"role {p.role.value} has no console / 该角色不能使用工作台")
    return {"sub": p.subject, "role": p.role.value, "unit": p.unit, "name": p.name}


def _keep(request: Request, token: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
    old = request.session.get("tokens") or {}
    tokens = {
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token") or old.get("refresh_token"),
        "id_token": token.get("id_token") or old.get("id_token"),
        "expires_at": float(token.get("expires_at") or time.time() + 60),
    }
    request.session.clear()
    request.session.update(tokens=tokens, person=person)
    return tokens


async def _refresh(request: Request, tokens: dict[str, Any]) -> dict[str, Any]:
    """New tokens for a session whose access token is about to expire (SignInRequired when the
    provider refuses: its session ended, or the person was disabled)."""
    idp = _idp(request)
    try:
        token = await idp.fetch_access_token(
            grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
        claims = await idp.parse_id_token(token, None, _claims_options(request))
        person = _person(claims) if claims is not None else request.session["person"]
    except httpx.HTTPError as exc:
        if tokens["expires_at"] > time.time():
            log.warning("console.refresh_unreachable", error=repr(exc))
            return tokens  # the provider is away for a moment: the token is still good
        request.session.clear()
        raise SignInRequired(here(request)) from exc
    except (OAuthError, AuthError, KeyError) as exc:
        log.info("console.refresh_refused", error=str(exc))
        request.session.clear()
        raise SignInRequired(here(request)) from exc
    return _keep(request, token, person)


async def session(request: Request) -> Session:
    """FastAPI dependency: the signed-in person, or SignInRequired."""
    tokens, person = request.session.get("tokens"), request.session.get("person")
    if not tokens or not person:
        # Never signed in, or the session ended while working (a cookie that no longer
        # opens, or an htmx request from a page that was signed in).
        had = _settings(request).session_cookie in request.cookies
        raise SignInRequired(here(request), expired=had or bool(request.headers.get("HX-Request")))
    if tokens["expires_at"] - time.time() < REFRESH_MARGIN:
        tokens = await _refresh(request, tokens)
        person = request.session["person"]
    principal = Principal(person["sub"], Role(person["role"]), person["unit"], person["name"])
    return Session(principal, tokens["access_token"])


def signin_redirect(request: Request, next_path: str, expired: bool = True) -> Response:
    """Where an expired session goes: a full page is redirected, an htmx request told to go."""
    url = f"/signin?next={quote(next_path, safe='')}" + ("&expired=1" if expired else "")
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    values = {"next": "/", "expired": False, "signed_out": False, "error": None, **context}
    response: Response = request.app.state.templates.TemplateResponse(
        request, "signin.html", values, status_code=status_code
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(
    request: Request, next: str = "/", expired: int = 0, signed_out: int = 0
) -> Response:
    return _page(request, next=safe_next(next), expired=bool(expired), signed_out=bool(signed_out))


@router.get("/signin/start")
async def signin_start(request: Request, next: str = "/") -> Response:
    """To the provider's login page; it comes back to /signin/callback."""
    request.session["next"] = safe_next(next)
    try:
        response: Response = await _idp(request).authorize_redirect(
            request, _base(request) + "/signin/callback", ui_locales="zh-CN"
        )
    except httpx.HTTPError as exc:
        log.warning("console.provider_unreachable", error=repr(exc))
        return _page(
            request, 503, next=safe_next(next), error="统一身份认证服务暂不可用，请稍后再试。"
        )
    return response


@router.get("/signin/callback")
async def signin_callback(request: Request) -> Response:
    next_path = safe_next(request.session.get("next"))
    try:
        token = await _idp(request).authorize_access_token(
            request, claims_options=_claims_options(request)
        )
        person = _person(token.get("userinfo") or {})
    except httpx.HTTPError as exc:
        log.warning("console.provider_unreachable", error=repr(exc))
        return _page(request, 503, next=next_path, error="统一身份认证服务暂不可用，请稍后再试。")
    except OAuthError as exc:
        log.info("console.signin_refused", error=exc.error, description=exc.description)
        return _page(request, 400, next=next_path, error="登录未完成或已失效，请重新登录。")
    except AuthError as exc:
        log.info("console.signin_no_role", reason=exc.reason)
        request.session.clear()
        return _page(
            request,
            403,
            next=next_path,
            error="该账号没有工作台角色（话务员、承办单位、督办人员或管理员）。",
        )
    _keep(request, token, person)
    target = next_path if next_path != "/" else HOME[Role(person["role"])]
    return RedirectResponse(target, status_code=303)


@router.post("/signout")
async def signout(request: Request) -> Response:
    """Ends the console's session and the provider's (then back to /signin)."""
    id_token = (request.session.get("tokens") or {}).get("id_token")
    request.session.clear()
    back = _base(request) + "/signin?signed_out=1"
    if not id_token:
        return RedirectResponse(back, status_code=303)
    try:
        logout = await _idp(request).create_logout_url(
            post_logout_redirect_uri=back, id_token_hint=id_token
        )
    except httpx.HTTPError as exc:  # the provider's session ends by itself (its idle timeout)
        log.warning("console.provider_unreachable", error=repr(exc))
        return RedirectResponse(back, status_code=303)
    return RedirectResponse(logout["url"], status_code=303)
