"""The ``xltools serve`` command: Chinese help, lazy imports, a real server that starts,
answers, asks for the token off loopback, and leaves nothing behind when stopped."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.processes import run_python
from tests.serving import running_server
from xltools.cli import cli


def test_serve_help_is_chinese_with_examples() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for text in (
        "在浏览器中完成一轮工作",
        "--port",
        "--host",
        "--no-browser",
        "示例：",
        "xltools serve",
    ):
        assert text in result.output


def test_importing_the_cli_does_not_import_the_web_stack(tmp_path: Path) -> None:
    code = (
        "import sys, xltools.cli\n"
        "web = ('starlette', 'uvicorn', 'jinja2', 'python_multipart', 'xltools.web')\n"
        "print(','.join(m for m in web if m in sys.modules))\n"
    )
    proc = run_python("-c", code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}),  # straight to the server, whatever the environment says
    urllib.request.HTTPCookieProcessor(),
)


def _get(url: str) -> tuple[int, str]:
    try:
        with _OPENER.open(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_serve_starts_on_loopback_answers_and_cleans_up(tmp_path: Path) -> None:
    port = _free_port()
    with running_server(tmp_path, "--port", str(port)) as (url, lines):
        assert url == f"http://127.0.0.1:{port}/"
        assert not any("口令" in line for line in lines)
        status, page = _get(url + "check")
        assert status == 200 and "<h1>检查收回的表格</h1>" in page
        assert len(list(tmp_path.glob("xltools-serve-*"))) == 1
    assert list(tmp_path.glob("xltools-serve-*")) == []  # removed at exit
    assert lines[-1] == "已停止，上传的文件和结果已删除。"


def test_serve_off_loopback_requires_the_printed_token(tmp_path: Path) -> None:
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    with running_server(tmp_path, "--host", "127.0.0.2") as (url, lines):
        assert "?token=" in url
        token = url.split("?token=")[1]
        assert any(f"口令：{token}" in line for line in lines)
        base = url.split("?")[0]
        status, page = _get(base + "check")
        assert status == 401 and "请输入口令" in page
        assert _get(base + f"check?token={token}x")[0] == 401
        status, page = _get(url)  # the printed address signs in (cookie, then the page)
        assert status == 200 and "检查收回的表格" in page


def test_serve_on_a_taken_port_is_a_chinese_message(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = run_python("-m", "xltools", "serve", "--no-browser", "--port", str(port))
    assert proc.returncode != 0
    assert "无法在 127.0.0.1:" in proc.stderr and "请换一个端口" in proc.stderr
    assert "Traceback" not in proc.stderr
