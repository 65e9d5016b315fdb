"""``xltools rules ID...``: one rule explained, with a case that raises it and the fix."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from xltools.catalogue import CATALOGUE, RULES, SCOPE_NAMES
from xltools.check.explain import EXAMPLES
from xltools.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_every_rule_has_an_example_and_a_fix() -> None:
    missing = [r.id for r in CATALOGUE if r.id not in EXAMPLES]
    assert missing == [], f"add an example and a fix to xltools/check/explain.py for {missing}"
    assert set(EXAMPLES) <= set(RULES)
    for example, fix in EXAMPLES.values():
        assert example.strip() and fix.strip()


def test_one_rule_explained() -> None:
    result = run("rules", "S10")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["S10", "警告", "自评表"]
    assert lines[1] == "  规则：定量指标的得分与按完成比例计算的得分一致"
    assert lines[2] == "  范围：每个指标行"
    assert lines[3].startswith("  计算：正向（≥、>、=）")  # the rule's detail
    assert lines[4] == "  示例：分值 20、年度指标值 ≥100人、实际完成值 80人，得分填了 20"
    assert lines[5].startswith("  修正：按完成比例改为 16.00")
    assert len(lines) == 6


def test_several_rules_in_the_order_given_any_case() -> None:
    result = run("rules", "m05", "D06,r04", "D06")
    assert result.exit_code == 0
    heads = [x.split()[0] for x in result.stdout.splitlines() if x and not x.startswith(" ")]
    assert heads == ["M05", "D06", "R04"]
    assert "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金" in result.stdout
    assert "“2000万”" in result.stdout


def test_rule_without_detail_has_no_calculation_line() -> None:
    result = run("rules", "D14")
    assert "计算：" not in result.stdout and "示例：" in result.stdout


def test_explained_rule_shows_the_profile_severity(tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('[severity]\ns07 = "提示"\n', "utf-8")
    result = run("rules", "S07", "--profile", str(profile))
    assert result.stdout.splitlines()[0].split()[:2] == ["S07", "提示"]


def test_unknown_rule_is_a_chinese_error(run_main) -> None:
    outcome = run_main("rules", "S10", "S99", "abc")
    assert outcome.code == 2
    assert outcome.out == ""
    assert outcome.err.startswith("错误：没有编号为 “S99”、“abc” 的规则")
    assert "xltools rules" in outcome.err


def test_rules_without_ids_still_lists_all() -> None:
    result = run("rules")
    assert [x.split()[0] for x in result.stdout.splitlines()] == [r.id for r in CATALOGUE]


def test_every_rule_is_listed_with_its_scope() -> None:
    """The list, the explanation and docs/rules.md name each rule's scope from the catalogue."""
    lines = run("rules").stdout.splitlines()
    assert [x.split()[2] for x in lines] == [SCOPE_NAMES[r.scope] for r in CATALOGUE]
    assert {x.split()[2] for x in lines} == set(SCOPE_NAMES.values())  # all four are used
    explained = run("rules", "R04", "S10", "S13", "M05").stdout
    for rule, scope in (
        ("R04", "整个文件"),
        ("S10", "每个指标行"),
        ("S13", "每张表"),
        ("M05", "多个文件"),
    ):
        block = next(b for b in explained.split("\n\n") if b.startswith(rule))
        assert f"  范围：{scope}" in block.splitlines()
    docs = (Path(__file__).parent.parent / "docs" / "rules.md").read_text("utf-8")
    assert docs == run("rules", "--format", "markdown").stdout
    assert "| S10 | 警告 | 每个指标行 |" in docs
