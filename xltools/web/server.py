"""Starting the server: a free port on loopback, the address, the browser, cleanup at exit."""

from __future__ import annotations

import atexit
import contextlib
import secrets
import socket
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from typing import Any

from xltools.errors import UserError
from xltools.web.guard import LOOPBACK_HOSTS, Settings


def free_port(host: str, port: int = 0) -> int:
    """``port`` if it is free on ``host`` (any free one for 0); a Chinese error if not."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.bind((host, port))
            return s.getsockname()[1]
    except OSError as exc:
        raise UserError(
            f"无法在 {host}:{port or ''} 启动（{exc.strerror or exc}），请换一个端口或地址"
        ) from None


def url_of(host: str, port: int, token: str | None = None) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    open_browser: bool = True,
    say: Callable[[str], None],
) -> None:
    """Run until Ctrl+C. Off loopback a token is made and printed; it is then required."""
    import uvicorn

    from xltools.web.app import App

    loopback = host in LOOPBACK_HOSTS
    token = None if loopback else secrets.token_urlsafe(16)
    app = App(Settings(token=token, loopback=loopback))
    atexit.register(app.sessions.close)
    # Temp files of the libraries (xlsxwriter, python-multipart) go inside the server's
    # own folder too, removed with it: nothing of an upload is left in the system's.
    tempfile.tempdir = str(app.sessions.root)
    port = free_port(host, port or 0)
    config = uvicorn.Config(
        app.asgi(), host=host, port=port, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    url = url_of(host, port, token)

    def announce() -> None:  # once the server listens: the address, then the browser
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if not server.started:
            return
        say(f"xltools 已启动：{url}")
        if token:
            say(f"已开放给其他电脑访问，口令：{token}（打开上面的地址即可，或在页面上输入口令）")
        say("按 Ctrl+C 停止；停止后上传的文件和结果都会删除。")
        if open_browser:
            _open(url)

    threading.Thread(target=announce, name="xltools-announce", daemon=True).start()
    threading.Thread(target=warm, name="xltools-warm", daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn raises the Ctrl+C again once it has shut down
        pass
    finally:
        app.sessions.close()
    say("已停止，上传的文件和结果已删除。")


def warm() -> None:
    """Read and check one bundled example once: the imports (pandas, pandera) and the
    compiled forms are then ready, and the first upload is answered at once."""
    from importlib import resources

    from xltools import api

    with contextlib.suppress(Exception):
        first = next(p for p in api.examples_dir().iterdir() if p.name.endswith(".xlsx"))
        with resources.as_file(first) as path:
            api.check([path])


def _open(url: str) -> Any:
    try:
        return webbrowser.open(url)
    except Exception:  # no browser on this machine: the address is on screen
        return False
