"""Rule profiles: the TOML file that sets frameworks, tolerance, rounding, grades…

The shipped ``default.toml`` holds every key; a user's profile overrides any part
of it. A key that does not exist or a value of the wrong kind is an error that
names the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from xltools.catalogue import RULES
from xltools.errors import UserError

# Indicator frameworks: 一级指标 → its 二级指标, in the order the forms print them.
FRAMEWORKS: dict[str, dict[str, tuple[str, ...]]] = {
    "2021": {
        "产出指标": ("数量指标", "质量指标", "时效指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
        "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
    },
    "2015": {
        "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
    },
}
SEVERITIES = ("错误", "警告", "提示")
ROUNDINGS = ("half-up", "truncate")


@dataclass(frozen=True)
class Profile:
    data: dict[str, Any]
    path: str = "默认配置"

    @property
    def tolerance(self) -> float:
        return float(self.data["tolerance"])

    @property
    def rounding(self) -> str:
        return self.data["rounding"]

    @property
    def grades(self) -> list[tuple[str, float]]:
        """Grade bands, best first: [("优", 90), ("良", 80), ("中", 60)]; below the last → 差."""
        return sorted(self.data["grades"].items(), key=lambda kv: -kv[1])

    @property
    def frameworks(self) -> tuple[str, ...]:
        return tuple(self.data["frameworks"])

    def framework(self) -> dict[str, tuple[str, ...]]:
        """The allowed (一级 → 二级) pairs: the union of the profile's frameworks."""
        merged: dict[str, list[str]] = {}
        for name in self.frameworks:
            for level1, level2s in FRAMEWORKS[name].items():
                bucket = merged.setdefault(level1, [])
                bucket.extend(x for x in level2s if x not in bucket)
        return {k: tuple(v) for k, v in merged.items()}

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data[name])


def _default_data() -> dict[str, Any]:
    text = resources.files("xltools.profiles").joinpath("default.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_profile(path: str | Path | None = None) -> Profile:
    """The default profile, overridden by the TOML file at ``path`` if given."""
    data = _default_data()
    if path is None:
        return Profile(data)
    try:
        text = Path(path).read_text("utf-8")
        user = tomllib.loads(text)
    except FileNotFoundError:
        raise UserError(f"找不到规则配置文件：{path}") from None
    except UnicodeDecodeError:
        raise UserError(f"规则配置文件 {path} 不是 UTF-8 编码的文本（请另存为 UTF-8）") from None
    except tomllib.TOMLDecodeError as exc:
        from xltools.profiles.syntax import describe

        raise UserError(f"规则配置文件 {path} 不是有效的 TOML，{describe(exc, text)}") from None
    _merge(data, user, prefix="")
    _validate(data)
    return Profile(data, str(path))


def _merge(base: dict[str, Any], user: dict[str, Any], prefix: str) -> None:
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in base and prefix != "severity.":
            raise UserError(f"规则配置中没有 “{name}” 这一项（请检查拼写）")
        if isinstance(base.get(key), dict):
            if not isinstance(value, dict):
                raise UserError(f"规则配置项 “{name}” 应为一个表（[{name}]）")
            _merge(base[key], value, prefix=f"{name}.")
        else:
            base[key] = value


def _validate(data: dict[str, Any]) -> None:
    def need(ok: bool, key: str, what: str) -> None:
        if not ok:
            raise UserError(f"规则配置项 “{key}” 的值无效：应为{what}")

    frameworks = data["frameworks"]
    need(isinstance(frameworks, list) and bool(frameworks), "frameworks", "非空列表")
    need(all(f in FRAMEWORKS for f in frameworks), "frameworks", "“2021” 或 “2015”")
    need(_is_number(data["tolerance"]) and data["tolerance"] >= 0, "tolerance", "非负数")
    need(data["rounding"] in ROUNDINGS, "rounding", "“half-up” 或 “truncate”")
    for grade, floor in data["grades"].items():
        need(_is_number(floor) and 0 <= floor <= 100, f"grades.{grade}", "0 到 100 之间的数")
    for key, value in data["weights"].items():
        if key == "cost_counts_as":
            need(value in ("产出指标", "成本指标"), "weights.cost_counts_as", "产出指标或成本指标")
        else:
            need(_is_number(value) and value >= 0, f"weights.{key}", "非负数")
    scoring = data["scoring"]
    need(_is_number(scoring["over_achievement"]), "scoring.over_achievement", "数字")
    need(scoring["reverse"] in ("linear", "ratio"), "scoring.reverse", "“linear” 或 “ratio”")
    need(data["merge"]["money_unit"] in ("元", "万元"), "merge.money_unit", "“元” 或 “万元”")
    for rule, sev in data["severity"].items():
        if rule.upper() not in RULES:  # a typo ("S7") would otherwise change nothing
            raise UserError(
                f"规则配置中没有 “severity.{rule}” 这一规则编号（请检查拼写，见 xltools rules）"
            )
        need(sev in SEVERITIES, f"severity.{rule}", "错误、警告或提示")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
