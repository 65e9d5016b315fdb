"""Findings: what a rule found, where, and how serious. Plain data, no pandas.

Every finding carries a stable rule ID from the catalogue (shared/spec/rules.md),
a severity, a location a clerk can click (``申报表!E7``), the offending value,
what was expected, and a Chinese message that needs no manual.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR, WARNING, INFO = "错误", "警告", "提示"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    text: str


# The reading rules; the check issue adds the D, S, X and M rules to the same catalogue.
READ_RULES = (
    Rule("R01", ERROR, "文件无法打开：不是表格文件、已损坏、已加密或为空"),
    Rule("R02", ERROR, "工作簿中找不到申报表或自评表（没有表头或关键标签）"),
    Rule("R03", ERROR, "找不到必需的标签或区块（如“年度资金总额”行、指标表头）"),
    Rule("R04", ERROR, "应为数字的单元格中是文字（如“2000万”“约100”），不会当作 0 处理"),
    Rule("R05", WARNING, "公式单元格没有缓存值（文件未在表格软件中打开保存过），使用 xltools 自行计算的值"),
    Rule("R06", INFO, "以文本形式写的数字（如“1,738.49”）或全角数字已按数字读取"),
    Rule("R07", WARNING, "未注明金额单位（项目资金标签中没有元或万元），按元处理"),
)
RULES: dict[str, Rule] = {r.id: r for r in READ_RULES}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    file: str
    sheet: str | None = None
    cell: str | None = None  # "E7", or a row "14" when the whole row is meant
    value: Any = None
    expected: Any = None
    project: str | None = None

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["location"] = self.location
        return out

    def line(self) -> str:
        """One line for a terminal or a log: ``文件  申报表!E7  [R04 错误] message``."""
        where = f"  {self.location}" if self.location else ""
        return f"{self.file}{where}  [{self.rule} {self.severity}] {self.message}"


def finding(rule: str, message: str, file: str, **where: Any) -> Finding:
    """A finding with the rule's default severity from the catalogue."""
    return Finding(rule, RULES[rule].severity, message, file, **where)
