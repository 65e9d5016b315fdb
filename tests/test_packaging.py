"""The wheel must contain every subpackage: an explicit list in pyproject.toml is easy to forget."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "xltools").rglob("__init__.py")
    }
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
    assert config["package-dir"]["xltools.examples"] == "examples"


def test_example_workbooks_and_data_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]["xltools.examples"]
    assert "*.xlsx" in patterns and "data/*.json" in patterns
    assert list((ROOT / "examples").glob("*.xlsx")), "no example workbooks to ship"


def test_click_catalogue_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert "locale/*/LC_MESSAGES/*.mo" in config["package-data"]["xltools"]
    assert (ROOT / "xltools/locale/zh_CN/LC_MESSAGES/click.mo").is_file()


def test_every_page_and_asset_of_serve_is_package_data() -> None:
    """``xltools serve`` has no CDN: a template or asset left out of the wheel is a broken page."""
    from fnmatch import fnmatch

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]["xltools.web"]
    web = ROOT / "xltools" / "web"
    shipped = [
        p
        for p in web.rglob("*")
        if p.is_file() and p.parent != web and "__pycache__" not in p.parts
    ]
    assert len(shipped) > 5
    for path in shipped:
        rel = path.relative_to(web).as_posix()
        assert any(fnmatch(rel, pattern) for pattern in patterns), f"not package data: {rel}"
