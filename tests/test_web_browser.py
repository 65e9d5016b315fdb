"""``xltools serve`` in a real browser: Debian's headless Chromium drives the pages.

The check page end to end: the bundled examples uploaded through the file input, the
results awaited, the planted mistakes seen, the annotated zip downloaded and opened.
Then a screenshot of each page; with XLTOOLS_SCREENSHOTS=docs they are the README's.
Under CI=true a missing Chromium or driver fails instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.serving import running_server
from xltools import api

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("XLTOOLS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("XLTOOLS_CHROMEDRIVER", "/usr/bin/chromedriver")
PLANTED = "申报表_信息系统维护经费（示例：含错误）.xlsx"
WAIT = 90  # seconds: a cold server and a busy machine


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run the browser tests, not skip them")
    pytest.skip(f"{message}; install chromium and chromium-driver to run these tests")


@pytest.fixture(scope="module")
def chrome(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            _missing(f"{path} is missing")
    home = tmp_path_factory.mktemp("chrome")
    downloads = home / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=zh-CN",
        f"--user-data-dir={home / 'profile'}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    # The driver is Debian's: selenium-manager must not try to download one.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("serve")) as (url, _lines):
        yield url


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return api.build_examples(tmp_path_factory.mktemp("examples"))


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("XLTOOLS_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def shoot(driver, folder: Path, name: str, height: int | None = None) -> Path:
    """A screenshot of the page; ``height``: the window made that tall first."""
    if height:
        driver.set_window_size(1280, height)
    path = folder / f"web-{name}.png"
    assert driver.save_screenshot(str(path)), path
    driver.set_window_size(1280, 900)
    return path


def wait_for(driver, css: str, seconds: float = WAIT):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def severities_shown(driver, until: set[str], seconds: float = WAIT) -> set[str]:
    """The severities of the findings on the page, read again (a filter reloads the page,
    and an element of the old one goes stale) until they are ``until`` or time runs out."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    seen: set[str] = set()

    def shown(d) -> bool:
        nonlocal seen
        try:
            seen = {b.text for b in d.find_elements(By.CSS_SELECTOR, "#findings tr.finding .sev")}
        except StaleElementReferenceException:
            return False
        return seen == until

    with contextlib.suppress(TimeoutException):
        WebDriverWait(driver, seconds, poll_frequency=0.2).until(shown)
    return seen


def upload(driver, paths: list[Path], submit_text: str) -> None:
    from selenium.webdriver.common.by import By

    picker = driver.find_element(By.CSS_SELECTOR, "input[type=file][name=files]:not([data-folder])")
    picker.send_keys("\n".join(str(p) for p in paths))
    chosen = driver.find_element(By.CSS_SELECTOR, ".dropzone .chosen")
    assert paths[0].name in chosen.text
    button = driver.find_element(By.XPATH, f"//button[normalize-space()='{submit_text}']")
    button.click()


def downloaded(folder: Path, name: str, seconds: float = WAIT) -> Path:
    path = folder / name
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded: {sorted(os.listdir(folder))}")


def test_check_end_to_end_in_a_browser(chrome, server, examples, screenshots, tmp_path):
    from selenium.webdriver.common.by import By

    chrome.get(server + "check")
    assert chrome.find_element(By.TAG_NAME, "h1").text == "检查收回的表格"
    shoot(chrome, screenshots, "check")
    upload(chrome, examples, "开始检查")
    summary = wait_for(chrome, "#summary")
    assert "11\n个文件" in summary.text
    assert "/jobs/" in chrome.current_url
    # the planted mistakes, at their cells, in the planted file's section
    section = chrome.find_element(
        By.XPATH, f"//article[h3[starts-with(normalize-space(), '{PLANTED}')]]"
    )
    rows = [r.text for r in section.find_elements(By.CSS_SELECTOR, "tr.finding")]
    assert any(r.startswith("申报表!E7 D06 错误") for r in rows), rows
    assert any(r.startswith("申报表!B6 D03 错误") for r in rows), rows
    shoot(chrome, screenshots, "check-results", height=1500)
    # the annotated copies: the zip downloads and opens, the mistake is commented
    chrome.find_element(By.PARTIAL_LINK_TEXT, "下载批注副本").click()
    archive = downloaded(chrome.downloads, "批注副本.zip")
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == sorted(p.name for p in examples)
        zf.extract(PLANTED, tmp_path)
    cell = openpyxl.load_workbook(tmp_path / PLANTED)["申报表"]["E7"]
    assert cell.comment is not None and "D06" in cell.comment.text
    # a filter applies on change (the script submits it): errors only
    chrome.find_element(By.CSS_SELECTOR, "input[name=severity][value='警告']").click()
    wait_for(chrome, "input[name=severity][value='警告']:not(:checked)")
    chrome.find_element(By.CSS_SELECTOR, "input[name=severity][value='提示']").click()
    wait_for(chrome, "input[name=severity][value='提示']:not(:checked)")
    # the script submits the filter and the page is replaced: read the page it settles on
    assert severities_shown(chrome, until={"错误"}) == {"错误"}


def test_merge_in_a_browser(chrome, server, examples, screenshots):
    from selenium.webdriver.common.by import By

    chrome.get(server + "merge")
    shoot(chrome, screenshots, "merge")
    upload(chrome, examples, "开始汇总")
    wait_for(chrome, "table.summary")
    page = chrome.find_element(By.TAG_NAME, "main").text
    assert "下载汇总工作簿" in page and "未汇总的文件" in page and PLANTED in page
    shoot(chrome, screenshots, "merge-results", height=1300)


def test_prefill_in_a_browser(chrome, server, examples, screenshots):
    from selenium.webdriver.common.by import By

    chrome.get(server + "prefill")
    shoot(chrome, screenshots, "prefill")
    declarations = [p for p in examples if p.name.startswith("申报表")]
    upload(chrome, declarations, "生成自评表")
    wait_for(chrome, "ul.written")
    assert len(chrome.find_elements(By.CSS_SELECTOR, "ul.written li")) == len(declarations)


def test_template_and_rules_pages_in_a_browser(chrome, server, screenshots):
    from selenium.webdriver.common.by import By

    chrome.get(server + "template")
    assert chrome.find_element(By.TAG_NAME, "h1").text == "生成空白模板"
    shoot(chrome, screenshots, "template")
    chrome.find_element(By.CSS_SELECTOR, "form[action='/template'] input[name=unit]").send_keys(
        "上海市某某中心"
    )
    chrome.find_element(By.XPATH, "//button[normalize-space()='下载模板']").click()
    downloaded(chrome.downloads, "申报表_上海市某某中心.xlsx")
    chrome.get(server + "rules")
    search = chrome.find_element(By.CSS_SELECTOR, "input[name=q]")
    search.send_keys("执行率")
    visible = [
        r for r in chrome.find_elements(By.CSS_SELECTOR, "#rules tbody tr") if r.is_displayed()
    ]
    assert visible and all("执行率" in r.text for r in visible)
    assert any(r.text.startswith("S02") for r in visible)
    shoot(chrome, screenshots, "rules")
