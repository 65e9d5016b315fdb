"""``xltools serve`` at the HTTP level: every page and endpoint, uploads and their limits,
path traversal in zips and names, the token, CSRF, escaping and cleanup."""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from xltools import api
from xltools.catalogue import CATALOGUE
from xltools.web.app import App
from xltools.web.guard import Settings
from xltools.web.uploads import Limits

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
PLANTED_DECLARATION = "申报表_信息系统维护经费（示例：含错误）.xlsx"
PLANTED_EVALUATION = "自评表_公共服务窗口运行经费（示例：含错误）.xlsx"
LOCAL = "http://127.0.0.1"


class Browser:
    """A test client with the session's CSRF token at hand, like a page open in a tab."""

    def __init__(self, client: TestClient, app: App) -> None:
        self.client, self.app = client, app
        self.csrf = ""

    def get(self, url: str, **kw):
        response = self.client.get(url, **kw)
        m = re.search(r'name="csrf" value="([^"]+)"', response.text)
        if m:
            self.csrf = m.group(1)
        return response

    def upload(self, url: str, paths, field: str = "files", data=None, **kw):
        if not self.csrf:
            self.get("/check")
        files = [(field, (p.name, p.read_bytes())) for p in paths]
        form = {"csrf": self.csrf, **(data or {})}
        return self.client.post(url, data=form, files=files, **kw)

    @property
    def session(self):
        (session,) = self.app.sessions.live.values()
        return session


def make_browser(settings: Settings | None = None, base_url: str = LOCAL) -> Iterator[Browser]:
    app = App(settings or Settings())
    with TestClient(app.asgi(), base_url=base_url) as client:
        yield Browser(client, app)
    assert not app.sessions.root.exists(), "the temp folder must be removed at exit"


@pytest.fixture
def browser() -> Iterator[Browser]:
    yield from make_browser()


@pytest.fixture
def small(request) -> Iterator[Browser]:
    """A server with the limits given by the test's ``limits`` marker arguments."""
    yield from make_browser(Settings(limits=Limits(**request.param)))


def finished(browser: Browser, response):
    """The results page, once the job has finished (a cold first check may take seconds)."""
    if "正在处理" in response.text:
        job = browser.session.jobs[job_url(response).rsplit("/", 1)[1]]
        assert job.wait(120)
        response = browser.client.get(job_url(response))
    return response


def results(browser: Browser, paths, **kw):
    response = finished(browser, browser.upload("/check", paths, follow_redirects=True, **kw))
    assert response.status_code == 200, response.text
    assert "检查结果" in response.text
    return response


def job_url(response) -> str:
    return str(response.url).removeprefix(LOCAL)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def session_files(browser: Browser) -> list[Path]:
    return [p for p in browser.app.sessions.root.rglob("*") if p.is_file()]


# -- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/template", "生成空白模板"),
        ("/check", "检查收回的表格"),
        ("/merge", "汇总成一个工作簿"),
        ("/prefill", "由申报表预填自评表"),
        ("/rules", "校验规则"),
    ],
)
def test_every_page_is_chinese_with_the_navigation_and_safe_headers(browser, path, heading):
    response = browser.get(path)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.text
    for title in ("模板", "检查", "汇总", "预填", "规则"):
        assert f">{title}</a>" in response.text
    assert 'aria-current="page"' in response.text
    assert browser.csrf
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    # not "no-referrer": Chrome would then send "Origin: null" with the page's own forms
    assert response.headers["referrer-policy"] == "same-origin"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_home_goes_to_the_check_page(browser):
    response = browser.client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/check"


def test_static_assets_ship_in_the_package(browser):
    for name, kind in (("app.css", "text/css"), ("app.js", "javascript")):
        response = browser.client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    page = browser.get("/check").text
    assert "http://" not in page.replace(LOCAL, "") and "https://" not in page  # no CDN


def test_rules_page_lists_the_catalogue_and_searches_it(browser):
    page = browser.get("/rules").text
    assert page.count('<td class="id">') == len(CATALOGUE)
    for rule_id in ("R01", "D06", "S02", "X01", "M04"):
        assert f'<td class="id">{rule_id}</td>' in page
    found = browser.get("/rules", params={"q": "执行率"}).text
    assert '<td class="id">S02</td>' in found and '<td class="id">S05</td>' in found
    assert '<td class="id">D06</td>' not in found
    none = browser.get("/rules", params={"q": "没有这样的规则xyz"}).text
    assert "没有找到与“没有这样的规则xyz”相符的规则" in none


def test_rules_page_shows_each_rules_scope_and_finds_by_it(browser):
    """The scope the catalogue gives each rule (as `xltools rules` and docs/rules.md show)."""
    page = browser.get("/rules").text
    rows = re.findall(r'<td class="id">(\w+)</td><td>.*?</td><td class="scope">(.*?)</td>', page)
    assert dict(rows) == {rule.id: rule.scope_name for rule in CATALOGUE}
    batch = browser.get("/rules", params={"q": "多个文件"}).text
    found = set(re.findall(r'<td class="id">(\w+)</td>', batch))
    assert found == {rule.id for rule in CATALOGUE if rule.scope_name == "多个文件"}
    assert {"M01", "X01"} <= found and "D06" not in found


# -- check ---------------------------------------------------------------------------------


def test_check_shows_the_planted_mistakes_by_unit_and_file_with_cell_value_expected(browser):
    page = results(browser, EXAMPLES).text
    assert '<div class="stat"><b>11</b><span>个文件</span></div>' in page
    assert page.count('<article class="file">') == 11
    # the planted declaration: start date after end date (D03 at the start date, B6), funds do not add up (D06)
    section = page.split(f"<h3>{PLANTED_DECLARATION}")[1].split("</article>")[0]
    row = section.split('<td class="where">申报表!E7</td>')[1].split("</tr>")[0]
    assert '<td class="id">D06</td>' in row and '<span class="sev 错误">错误</span>' in row
    assert '<td class="value">100,000.00</td>' in row and '<td class="value">90,000.00</td>' in row
    assert '<td class="where">申报表!B6</td>' in section
    evaluation = page.split(f"<h3>{PLANTED_EVALUATION}")[1].split("</article>")[0]
    assert '<td class="where">自评表!H13</td>' in evaluation and ">S08<" in evaluation
    # grouped by 实施单位: every unit of the summary has its section
    for unit in re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">", page):
        assert f'<section class="unit card">\n  <h2>{unit} ' in page
    assert "✓ 未发现问题" in page or "错误" in page
    assert str(browser.app.sessions.root) not in page  # the clerk's names, not temp paths


def test_check_findings_equal_the_api_on_the_same_files(browser):
    response = results(browser, EXAMPLES)
    shown = browser.client.get(job_url(response) + "/files/findings.json").json()
    direct = api.check(EXAMPLES).to_dict()
    assert shown["summary"] == direct["summary"]
    by_name = {Path(f["file"]).name: f["findings"] for f in direct["files"]}
    for f in shown["files"]:
        expected = [{**x, "file": f["file"]} for x in by_name[f["file"]]]
        assert f["findings"] == expected


def test_check_csv_download_opens_in_excel(browser):
    response = results(browser, EXAMPLES)
    csv = browser.client.get(job_url(response) + "/files/findings.csv")
    assert csv.status_code == 200
    assert "attachment" in csv.headers["content-disposition"]
    assert "filename*=utf-8''" in csv.headers["content-disposition"]
    assert csv.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "文件,工作表,单元格,规则,严重程度,项目,说明,表中值,应为"
    assert f"{PLANTED_DECLARATION},申报表,E7,D06,错误" in text


def test_check_annotated_zip_has_a_copy_of_each_file_with_comments(browser, tmp_path):
    response = results(browser, EXAMPLES)
    got = browser.client.get(job_url(response) + "/files/annotated")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(p.name for p in EXAMPLES)
        zf.extract(PLANTED_DECLARATION, tmp_path)
    book = openpyxl.load_workbook(tmp_path / PLANTED_DECLARATION)
    comment = book["申报表"]["E7"].comment
    assert comment is not None and "D06" in comment.text
    again = browser.client.get(job_url(response) + "/files/annotated")
    assert again.content == got.content  # made once, then served


def test_check_notices_zip_has_one_word_notice_per_unit_to_fix(browser, tmp_path):
    import docx

    response = results(browser, EXAMPLES)
    assert "下载退回修改通知" in response.text
    got = browser.client.get(job_url(response) + "/files/notices")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    report = api.check(EXAMPLES)
    units = {
        fr.unit for fr in report.files if any(f.severity in ("错误", "警告") for f in fr.findings)
    }
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"退回修改通知_{u}.docx" for u in units)
        zf.extractall(tmp_path)
    texts = {}
    for name in names:
        document = docx.Document(tmp_path / name)
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        texts[name] = "\n".join([p.text for p in document.paragraphs] + cells)
    planted = next(t for t in texts.values() if PLANTED_DECLARATION in t)
    assert "申报表!E7" in planted and "退回修改通知" in planted


def test_check_filters_by_severity_and_rule(browser):
    url = job_url(results(browser, EXAMPLES))
    errors = browser.client.get(url, params={"severity": "错误"}).text
    table = errors.split('<div id="findings">')[1]
    assert '<span class="sev 错误">错误</span>' in table
    assert '<span class="sev 警告">警告</span>' not in table
    assert '<input type="checkbox" name="severity" value="错误" checked>' in errors
    assert '<input type="checkbox" name="severity" value="警告">' in errors
    d06 = browser.client.get(url, params={"rule": "D06"}).text.split('<div id="findings">')[1]
    assert set(re.findall(r'<td class="id">(\w+)</td>', d06)) == {"D06"}
    assert PLANTED_DECLARATION in d06 and PLANTED_EVALUATION not in d06
    nothing = browser.client.get(url, params={"rule": "Z99"}).text
    assert "没有符合筛选条件的问题" in nothing


def test_check_against_declarations(browser):
    evaluations = [p for p in EXAMPLES if p.name.startswith("自评表")]
    declarations = [p for p in EXAMPLES if p.name.startswith("申报表")]
    files = [("files", (p.name, p.read_bytes())) for p in evaluations] + [
        ("declarations", (p.name, p.read_bytes())) for p in declarations
    ]
    browser.get("/check")
    response = browser.client.post(
        "/check", data={"csrf": browser.csrf}, files=files, follow_redirects=True
    )
    page = finished(browser, response).text
    assert page.count('<article class="file">') == len(evaluations)
    assert re.search(r'<td class="id">X0[1-5]</td>', page)


def test_check_events_stream_the_progress(browser):
    response = browser.upload("/check", EXAMPLES[:2], headers={"accept": "application/json"})
    url = response.json()["url"].removeprefix(LOCAL)
    assert re.fullmatch(r"/jobs/[\w-]+", url)
    with browser.client.stream("GET", url + "/events") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in events.iter_lines() if line.startswith("data: ")]
    last = json.loads(lines[-1].removeprefix("data: "))
    assert last == {"state": "done", "done": 2, "total": 2, "error": ""}
    assert browser.client.get(url + "/status").json()["state"] == "done"


def test_a_job_still_running_shows_its_progress(browser, monkeypatch):
    import threading

    release = threading.Event()
    real = api.check

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "check", slow)
    monkeypatch.setattr("xltools.web.app.WAIT_FOR_RESULTS", 0.05)
    response = browser.upload("/check", EXAMPLES[:1], follow_redirects=True)
    assert "正在处理" in response.text and 'data-events="/jobs/' in response.text
    assert '<meta http-equiv="refresh" content="2">' in response.text  # without JavaScript
    assert browser.client.get(job_url(response) + "/files/findings.csv").status_code == 409
    release.set()
    browser.session.jobs[job_url(response).rsplit("/", 1)[1]].wait(10)
    assert "检查结果" in browser.client.get(job_url(response)).text


def test_check_of_nothing_readable_is_a_chinese_message(browser, tmp_path):
    text = tmp_path / "说明.txt"
    text.write_text("不是表格", encoding="utf-8")
    response = finished(browser, browser.upload("/check", [text], follow_redirects=True))
    assert response.status_code == 200
    assert "未能完成" in response.text and "没有找到要检查的文件" in response.text


def test_an_empty_upload_is_refused(browser):
    browser.get("/check")
    nothing = [("files", ("", b""))]  # what a browser sends when no file was chosen
    response = browser.client.post("/check", data={"csrf": browser.csrf}, files=nothing)
    assert response.status_code == 400 and "请先选择要上传的文件" in response.text


def test_user_text_is_escaped(browser, tmp_path):
    record = api.blank_record("declaration", 2025, implementing_unit="<script>alert(1)</script>")
    path = api.write_form(tmp_path / "x.xlsx", record)
    page = results(browser, [path]).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


# -- zips and names ------------------------------------------------------------------------


def test_a_zipped_folder_is_checked_with_its_folder_names(browser, tmp_path):
    members = {f"收回/单位甲/{p.name}": p.read_bytes() for p in EXAMPLES[:3]}
    archive = tmp_path / "收回的表格.zip"
    archive.write_bytes(zip_bytes(members))
    page = results(browser, [archive]).text
    for p in EXAMPLES[:3]:
        assert f"<h3>收回的表格/收回/单位甲/{p.name}" in page


def test_zip_names_from_chinese_windows_are_read_as_gbk(browser, tmp_path):
    name = "申报表_甲.xlsx"
    gbk = name.encode("gbk")  # as Windows' "send to zip" writes it: GBK, no UTF-8 flag
    placeholder = b"x" * len(gbk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(placeholder.decode(), EXAMPLES[0].read_bytes())
    archive = tmp_path / "gbk.zip"
    archive.write_bytes(buffer.getvalue().replace(placeholder, gbk))
    with zipfile.ZipFile(archive) as zf:
        assert not zf.infolist()[0].flag_bits & 0x800
    page = results(browser, [archive]).text
    assert f"<h3>gbk/{name}" in page


def test_zip_members_cannot_leave_the_session_folder(browser, tmp_path):
    data = EXAMPLES[0].read_bytes()
    members = {
        "../../../逃逸1.xlsx": data,
        "/tmp/逃逸2.xlsx": data,
        "C:\\Windows\\逃逸3.xlsx": data,
        "a/../../逃逸4.xlsx": data,
        "说明.txt": b"not a workbook",
    }
    archive = tmp_path / "坏.zip"
    archive.write_bytes(zip_bytes(members))
    page = results(browser, [archive]).text
    session = browser.session.folder.resolve()
    saved = session_files(browser)
    assert {p.name for p in saved if p.suffix == ".xlsx"} >= {f"逃逸{i}.xlsx" for i in (1, 2, 3, 4)}
    assert all(p.resolve().is_relative_to(session) for p in saved)
    assert not list(tmp_path.parent.glob("逃逸*")) and not Path("/tmp/逃逸2.xlsx").exists()
    assert page.count('<article class="file">') == 4
    assert "说明.txt：不是表格文件，已跳过" in page


def test_upload_file_names_cannot_leave_the_session_folder(browser):
    browser.get("/check")
    data = EXAMPLES[0].read_bytes()
    names = ["../../外面.xlsx", "/etc/外面2.xlsx", "..\\..\\外面3.xlsx", "....", "a/./b/../c.xlsx"]
    files = [("files", (n, data)) for n in names]
    response = browser.client.post(
        "/check", data={"csrf": browser.csrf}, files=files, follow_redirects=True
    )
    response = finished(browser, response)
    assert response.status_code == 200
    session = browser.session.folder.resolve()
    saved = session_files(browser)
    assert all(p.resolve().is_relative_to(session) for p in saved)
    assert not Path("/etc/外面2.xlsx").exists()
    assert response.text.count('<article class="file">') == 4  # "...." has no name left
    assert "....：无法使用的文件名或字段" in response.text


def test_names_that_collide_with_a_file_are_skipped_not_fatal(browser, tmp_path):
    data = EXAMPLES[0].read_bytes()
    browser.get("/check")
    files = [("files", ("a.xlsx", data)), ("files", ("a.xlsx/b.xlsx", data))]
    response = browser.client.post(
        "/check", data={"csrf": browser.csrf}, files=files, follow_redirects=True
    )
    page = finished(browser, response).text
    assert page.count('<article class="file">') == 1
    assert "a.xlsx/b.xlsx：无法保存（与另一个文件的名称冲突）" in page
    archive = tmp_path / "z.zip"
    archive.write_bytes(zip_bytes({"x.xlsx": data, "x.xlsx/y.xlsx": data}))
    page = results(browser, [archive]).text
    assert page.count('<article class="file">') == 1
    assert "z.zip/x.xlsx/y.xlsx：无法保存（与另一个文件的名称冲突）" in page


def test_symlinks_in_a_zip_are_not_followed(browser, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        link = zipfile.ZipInfo("链接.xlsx")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("真的.xlsx", EXAMPLES[0].read_bytes())
    archive = tmp_path / "links.zip"
    archive.write_bytes(buffer.getvalue())
    page = results(browser, [archive]).text
    assert "链接.xlsx：压缩包中的链接，已跳过" in page
    assert page.count('<article class="file">') == 1
    assert not any(p.is_symlink() for p in browser.app.sessions.root.rglob("*"))


def test_a_broken_zip_is_a_chinese_message(browser, tmp_path):
    archive = tmp_path / "坏.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    response = browser.upload("/check", [archive])
    assert response.status_code == 400 and "压缩包已损坏或不是 zip 文件：坏.zip" in response.text
    assert session_files(browser) == []  # the job's folder went with it


# -- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("small", [{"ratio": 100}], indirect=True)
def test_a_zip_bomb_is_refused(small, tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_bytes({"炸弹.xlsx": b"\0" * (20 * 1024 * 1024)}))
    assert archive.stat().st_size < 100_000
    response = small.upload("/check", [archive])
    assert response.status_code == 413 and "压缩比过高" in response.text
    assert session_files(small) == []
    # the page's script asks for JSON and shows the message under the form
    answer = small.upload("/check", [archive], headers={"accept": "application/json"})
    assert answer.status_code == 413 and "压缩比过高" in answer.json()["error"]


@pytest.mark.parametrize(
    "small", [{"unzipped_bytes": 2 * 1024 * 1024, "ratio": 10**6}], indirect=True
)
def test_the_unzipped_size_is_bounded(small, tmp_path):
    members = {f"{i}.xlsx": bytes([i]) * (900 * 1024) for i in range(4)}
    archive = tmp_path / "big.zip"
    archive.write_bytes(zip_bytes(members))
    response = small.upload("/check", [archive])
    assert response.status_code == 413 and "解压后超过 2 MB" in response.text


@pytest.mark.parametrize("small", [{"files": 3}], indirect=True)
def test_the_number_of_files_is_bounded(small, tmp_path):
    response = small.upload("/check", EXAMPLES[:4])
    assert response.status_code == 413 and "一次最多上传 3 个文件" in response.text
    archive = tmp_path / "many.zip"
    archive.write_bytes(zip_bytes({f"{i}.xlsx": EXAMPLES[0].read_bytes() for i in range(4)}))
    response = small.upload("/check", [archive])
    assert response.status_code == 413 and "含压缩包中的文件" in response.text
    assert results(small, EXAMPLES[:3])


@pytest.mark.parametrize("small", [{"request_bytes": 50_000}], indirect=True)
def test_the_upload_size_is_bounded(small):
    big = [p for p in EXAMPLES if p.stat().st_size > 10_000][:6]
    response = small.upload("/check", big)
    assert response.status_code == 413 and "合计超过" in response.text

    def chunked():  # no Content-Length: counted while read
        yield b'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
        yield small.csrf.encode() + b"\r\n"
        yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.xlsx"\r\n\r\n'
        for _ in range(100):
            yield b"\0" * 1000
        yield b"\r\n--x--\r\n"

    response = small.client.post(
        "/check", content=chunked(), headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 413 and "合计超过" in response.text


def test_a_malformed_multipart_body_is_a_chinese_message(browser):
    browser.get("/check")
    response = browser.client.post(
        "/check", content=b"garbage", headers={"content-type": "multipart/form-data"}
    )
    assert response.status_code == 400 and "上传的内容格式不正确" in response.text


# -- CSRF, sessions, hosts, token ----------------------------------------------------------


def test_every_post_needs_the_csrf_token(browser):
    browser.get("/check")
    files = [("files", (EXAMPLES[0].name, EXAMPLES[0].read_bytes()))]
    for url in ("/check", "/merge", "/prefill", "/template/list"):
        missing = browser.client.post(url, files=files)
        assert missing.status_code == 403 and "表单已过期" in missing.text, url
        wrong = browser.client.post(url, data={"csrf": "x" * 43}, files=files)
        assert wrong.status_code == 403, url
        late = browser.client.post(url, data={"note": "1", "csrf": browser.csrf}, files=files)
        assert late.status_code == 403, url  # the token must come before any file
    for url in ("/template", "/session/end"):
        assert browser.client.post(url, data={"kind": "申报表"}).status_code == 403, url
        assert browser.client.post(url, data={"csrf": "nope"}).status_code == 403, url
    header = browser.client.post("/template", data={}, headers={"x-csrf-token": "nope"})
    assert header.status_code == 403
    assert session_files(browser) == []


def test_a_post_without_a_session_or_from_another_site_is_refused(browser):
    browser.get("/check")
    other = TestClient(browser.client.app, base_url=LOCAL)
    response = other.post("/template", data={"csrf": browser.csrf})
    assert response.status_code == 403 and "页面已过期" in response.text
    foreign = browser.client.post(
        "/template", data={"csrf": browser.csrf}, headers={"origin": "http://evil.example"}
    )
    assert foreign.status_code == 403 and "其他网站" in foreign.text
    own = browser.client.post("/template", data={"csrf": browser.csrf}, headers={"origin": LOCAL})
    assert own.status_code == 200  # a form of this server's own page, Origin sent


def test_only_loopback_host_names_are_served(browser):
    assert browser.client.get("/check", headers={"host": "evil.example"}).status_code == 403
    assert browser.client.get("/check", headers={"host": "localhost:8080"}).status_code == 200


@pytest.fixture
def guarded() -> Iterator[Browser]:
    yield from make_browser(Settings(token="s3cret-token", loopback=False), "http://10.0.0.5")


def test_with_a_token_every_page_needs_it(guarded):
    client = guarded.client
    page = client.get("/check")
    assert page.status_code == 401 and "请输入口令" in page.text
    assert client.get("/jobs/1/files/findings.csv").status_code == 401
    assert client.post("/check").status_code == 401
    wrong = client.get("/check", params={"token": "guess"})
    assert wrong.status_code == 401 and "口令不正确" in wrong.text
    assert client.get("/static/app.css").status_code == 200  # the sign-in page's style
    right = client.get(
        "/rules", params={"token": "s3cret-token", "q": "D06"}, follow_redirects=False
    )
    assert right.status_code == 303 and right.headers["location"] == "/rules?q=D06"
    assert "HttpOnly" in right.headers["set-cookie"]
    assert client.get("/rules?q=D06").status_code == 200
    assert guarded.get("/check").status_code == 200
    assert results(guarded, EXAMPLES[:1])


def test_ending_the_session_removes_its_files(browser):
    response = results(browser, EXAMPLES[:2])
    folder = browser.session.folder
    assert any(folder.rglob("*.xlsx"))
    ended = browser.client.post("/session/end", data={"csrf": browser.csrf}, follow_redirects=True)
    assert "已结束：本次上传的文件和结果都已删除" in ended.text
    assert not folder.exists()
    gone = browser.client.get(job_url(response))
    assert gone.status_code == 404 and "可能已过期并被清除" in gone.text


def test_idle_sessions_are_removed(browser):
    results(browser, EXAMPLES[:1])
    session = browser.session
    session.seen -= browser.app.sessions.idle + 1
    browser.app.sessions.sweep()
    assert not session.folder.exists() and not browser.app.sessions.live


def test_the_least_recently_used_session_goes_beyond_the_most():
    from xltools.web.sessions import Sessions

    sessions = Sessions(most=2)
    try:
        first, second = sessions.create(), sessions.create()
        sessions.get(first.id)  # used again: the second is now the oldest
        third = sessions.create()
        assert set(sessions.live) == {first.id, third.id}
        assert not second.folder.exists() and first.folder.exists()
    finally:
        sessions.close()
    assert not sessions.root.exists()


def test_old_jobs_of_a_session_are_removed(browser):
    first = job_url(results(browser, EXAMPLES[:1]))
    for _ in range(10):
        results(browser, EXAMPLES[:1])
    assert browser.client.get(first).status_code == 404
    assert len(browser.session.jobs) == 10


# -- template, merge, prefill --------------------------------------------------------------


def test_template_downloads_a_filled_blank_form(browser, tmp_path):
    browser.get("/template")
    form = {
        "csrf": browser.csrf,
        "kind": "自评表",
        "year": "2024",
        "unit": "某某中心",
        "money_unit": "万元",
    }
    response = browser.client.post("/template", data=form)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    (result,) = api.read([path])
    (record,) = result.records
    assert (record.kind, record.year, record.implementing_unit) == (
        "self_evaluation",
        2024,
        "某某中心",
    )
    assert record.money_unit == "万元"


def test_the_pages_list_this_session_s_results(browser):
    url = job_url(results(browser, EXAMPLES[:2]))
    page = browser.get("/merge").text
    assert f'<a href="{url}">检查：2 个文件</a>' in page and "已完成" in page
    browser.client.post("/template", data={"csrf": browser.csrf, "kind": "申报表"})
    (template,) = [j for j in browser.session.jobs.values() if j.kind == "template"]
    assert browser.client.get(f"/jobs/{template.id}").status_code == 404  # no page: a download
    assert f"/jobs/{template.id}" not in browser.get("/check").text


def test_template_with_a_bad_year_is_a_chinese_message(browser):
    browser.get("/template")
    response = browser.client.post("/template", data={"csrf": browser.csrf, "year": "明年"})
    assert response.status_code == 400 and "年度应为数字" in response.text


def test_templates_from_a_project_list(browser, tmp_path):
    listing = tmp_path / "项目清单.csv"
    listing.write_text("项目名称,实施单位\n甲项目,甲单位\n乙项目,乙单位\n", encoding="utf-8-sig")
    response = browser.upload(
        "/template/list", [listing], data={"kind": "申报表", "year": "2026"}, follow_redirects=True
    )
    response = finished(browser, response)
    assert "已按项目清单生成模板" in response.text
    got = browser.client.get(job_url(response) + "/files/zip")
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        assert sorted(zf.namelist()) == ["申报表_乙项目.xlsx", "申报表_甲项目.xlsx"]
        zf.extractall(tmp_path / "out")
    records = [r for res in api.read([tmp_path / "out"]) for r in res.records]
    assert {(r.project_name, r.implementing_unit, r.year) for r in records} == {
        ("甲项目", "甲单位", 2026),
        ("乙项目", "乙单位", 2026),
    }


def test_merge_shows_the_summary_and_gives_the_workbook(browser, tmp_path):
    response = finished(browser, browser.upload("/merge", EXAMPLES, follow_redirects=True))
    page = response.text
    assert response.status_code == 200 and "下载汇总工作簿" in page
    assert "项目汇总" in page and "<th>项目名称</th>" in page
    assert "信息系统维护经费</td>" in page  # a project of the examples, in the table
    assert "未汇总的文件" in page and PLANTED_DECLARATION in page  # errors: left out (M04)
    assert str(browser.app.sessions.root) not in page
    got = browser.client.get(job_url(response) + "/files/workbook")
    assert got.status_code == 200 and ".xlsx" in got.headers["content-disposition"]
    path = tmp_path / "m.xlsx"
    path.write_bytes(got.content)
    book = openpyxl.load_workbook(path, read_only=True)
    assert any(s.startswith("项目汇总") for s in book.sheetnames) and "来源" in book.sheetnames
    cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v]
    assert PLANTED_DECLARATION in cells  # 来源: the file as uploaded …
    assert not any(str(browser.app.sessions.root) in v for v in cells)  # … not the temp path


def test_merge_options_reach_the_workbook(browser):
    options = {"include_invalid": "1", "money_unit": "万元", "title": "长宁区 <测试> 汇总表"}
    response = finished(browser, browser.upload("/merge", EXAMPLES, data=options))
    page = response.text
    assert "<h1>长宁区 &lt;测试&gt; 汇总表</h1>" in page
    assert "<b>万元</b><span>金额单位</span>" in page
    assert "未汇总的文件" not in page  # the planted files too, with --include-invalid
    assert f"<b>{len(EXAMPLES)}</b><span>个文件已汇总</span>" in page


def test_prefill_gives_a_self_evaluation_per_declaration(browser, tmp_path):
    declarations = [p for p in EXAMPLES if p.name.startswith("申报表")]
    response = finished(browser, browser.upload("/prefill", EXAMPLES, follow_redirects=True))
    assert "已生成预填的自评表" in response.text
    assert "没有申报表，已跳过" in response.text  # the self-evaluations among the upload
    assert str(browser.app.sessions.root) not in response.text
    got = browser.client.get(job_url(response) + "/files/zip")
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "out")
    assert len(names) == len(declarations) and all(n.startswith("自评表_") for n in names)
    records = [r for res in api.read([tmp_path / "out"]) for r in res.records]
    assert {r.kind for r in records} == {"self_evaluation"}


def test_unknown_jobs_and_files_are_404(browser):
    browser.get("/check")
    assert browser.client.get("/jobs/nope").status_code == 404
    url = job_url(results(browser, EXAMPLES[:1]))
    assert browser.client.get(url + "/files/nothing").status_code == 404
    assert browser.client.get(url + "/files/workbook").status_code == 404  # not a merge


def test_a_zip_added_to_the_check_downloads_gets_its_button_and_route(browser, monkeypatch):
    """How 退回修改通知 is wired after merging: one entry in CHECK_ZIPS, nothing else."""
    from xltools.web import app as web_app

    def write_notes(report, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for unit in sorted({fr.unit for fr in report.files}):
            (out / f"{unit}.txt").write_text(unit, encoding="utf-8")
            written.append(out / f"{unit}.txt")
        return written

    extra = web_app.Download("下载退回修改通知", "退回修改通知.zip", write_notes)
    monkeypatch.setitem(web_app.CHECK_ZIPS, "notices", extra)
    response = results(browser, EXAMPLES[:2])
    assert '/files/notices" download>下载退回修改通知（.zip）</a>' in response.text
    got = browser.client.get(job_url(response) + "/files/notices")
    assert got.status_code == 200 and "filename*=utf-8''" in got.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        assert zf.namelist() == ["上海市长宁区医疗保险事务中心.txt"]
