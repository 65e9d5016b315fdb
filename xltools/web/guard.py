"""What keeps ``xltools serve`` safe, in front of every route (a plain ASGI middleware).

- Hosts: on loopback only ``127.0.0.1``/``localhost``/``[::1]`` are accepted as Host,
  so a web page elsewhere cannot reach the server through DNS rebinding.
- Token: with ``--host`` the server is reachable by others; then every request needs
  the token printed at start (``?token=`` once, then a cookie) or gets a sign-in page.
- Sessions: a random session cookie (HttpOnly, SameSite=Strict) names the session's
  temp folder; a POST without a live session is refused.
- CSRF: every POST carries the session's token (a form field, first in uploads, or
  the X-CSRF-Token header), and a foreign Origin is refused.
- Size: a body over the upload limit is refused (413) before or while it is read.
- Headers: a Content-Security-Policy allowing only this server's own files.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from xltools.web.sessions import Session, Sessions
from xltools.web.uploads import MB, Limits, UploadRefused

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" makes form posts send Origin: null
    (b"cache-control", b"no-store"),
]


@dataclass(frozen=True)
class Settings:
    token: str | None = None  # required from every browser when set (--host)
    loopback: bool = True  # only loopback Host headers accepted
    limits: Limits = field(default_factory=Limits)
    idle: float = 3600.0  # seconds without a request before a session is removed


class Forbidden(UploadRefused):
    def __init__(self, message: str = "表单已过期，请刷新页面后重新提交") -> None:
        super().__init__(message, 403)


def check_csrf(session: Session, token: str) -> None:
    if not token or not secrets.compare_digest(token, session.csrf):
        raise Forbidden()


class TooLarge(UploadRefused):
    def __init__(self, limit: int) -> None:
        super().__init__(f"上传的文件合计超过 {limit // MB} MB，请分批上传", 413)


class Guard:
    SESSION_COOKIE = "xltools_session"
    TOKEN_COOKIE = "xltools_token"

    def __init__(self, app: Any, settings: Settings, sessions: Sessions) -> None:
        self.app, self.settings, self.sessions = app, settings, sessions

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self._refuse(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if self.settings.token and request.query_params.get("token"):
            await self._sign_in(request)(scope, receive, send)
            return
        cookies = request.cookies
        session = self.sessions.get(cookies.get(self.SESSION_COOKIE))
        new = session is None
        if session is None:
            if request.method not in ("GET", "HEAD"):
                await self._expired(request, scope, receive, send)
                return
            session = self.sessions.create()
        scope.setdefault("state", {})["session"] = session
        header = request.headers.get("x-csrf-token")
        if header is not None and not secrets.compare_digest(header, session.csrf):
            await PlainTextResponse("CSRF", 403)(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if new:
                    headers.append((b"set-cookie", self._cookie(self.SESSION_COOKIE, session.id)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, self._bounded(receive), send_with_headers)

    # -- the checks ------------------------------------------------------------------------

    def _refuse(self, request: Request) -> Response | None:
        host = (request.headers.get("host") or "").rsplit(":", 1)[0]
        if request.headers.get("host", "").startswith("["):
            host = request.headers["host"].split("]")[0] + "]"
        if self.settings.loopback and host not in LOOPBACK_HOSTS:
            return PlainTextResponse("只接受本机访问（127.0.0.1）", 403)
        origin = request.headers.get("origin")
        if (
            request.method == "POST"
            and origin
            and urlsplit(origin).netloc != request.headers.get("host")
        ):
            return PlainTextResponse("拒绝来自其他网站的提交", 403)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.settings.limits.request_bytes:
            limit = self.settings.limits.request_bytes // MB
            return PlainTextResponse(f"上传的文件合计超过 {limit} MB，请分批上传", 413)
        public = request.url.path.startswith("/static/")  # the sign-in page's style
        if self.settings.token and not request.query_params.get("token") and not public:
            given = request.cookies.get(self.TOKEN_COOKIE, "")
            if not secrets.compare_digest(given.encode(), self.settings.token.encode()):
                return HTMLResponse(SIGN_IN, 401)
        return None

    def _sign_in(self, request: Request) -> Response:
        """``?token=…``: the right one sets the cookie and leaves the token out of the URL."""
        given = request.query_params["token"]
        if not secrets.compare_digest(given.encode(), (self.settings.token or "").encode()):
            return HTMLResponse(SIGN_IN.replace("<!--wrong-->", WRONG), 401)
        query = {k: v for k, v in parse_qs(request.url.query).items() if k != "token"}
        url = request.url.path + (f"?{urlencode(query, doseq=True)}" if query else "")
        response = RedirectResponse(url, status_code=303)
        response.raw_headers.append(
            (b"set-cookie", self._cookie(self.TOKEN_COOKIE, self.settings.token or ""))
        )
        return response

    async def _expired(self, request: Request, scope: dict, receive: Callable, send: Callable):
        await PlainTextResponse("页面已过期，请刷新页面后重新提交", 403)(scope, receive, send)

    def _bounded(self, receive: Callable) -> Callable:
        limit = self.settings.limits.request_bytes
        seen = 0

        async def bounded() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(limit)
            return message

        return bounded

    @staticmethod
    def _cookie(name: str, value: str) -> bytes:
        cookie: SimpleCookie = SimpleCookie()
        cookie[name] = value
        cookie[name]["path"] = "/"
        cookie[name]["httponly"] = True
        cookie[name]["samesite"] = "Strict"
        return cookie.output(header="").strip().encode("latin-1")


WRONG = '<p class="wrong">口令不正确，请重新输入。</p>'
SIGN_IN = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>xltools：请输入口令</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body class="sign-in"><main><h1>请输入口令</h1>
<p>这个 xltools 页面开放给了其他电脑，需要启动时屏幕上显示的口令才能使用。</p>
<!--wrong-->
<form method="get" action=""><label>口令 <input name="token" type="password" autofocus
 autocomplete="off"></label> <button type="submit">进入</button></form>
</main></body></html>
"""
