"""Rule profiles: the TOML file that sets frameworks, tolerance, rounding, grades…

The shipped ``default.toml`` (the profile named 全国) holds every key; the other
TOML files of this package are named profiles (上海市级, 上海区级, 四川) that change a
few of them. A user's profile overrides any part of the default, or of the named
profile it ``extends``. A key that does not exist or a value of the wrong kind is an
error that names the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import copy
import functools
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
ROUNDINGS = ("half-up", "truncate", "ceil")
DEFAULT_NAME = "全国"
_FREE_TABLES = ("severity.", "framework.")  # tables whose keys the user names


@dataclass(frozen=True)
class Profile:
    data: dict[str, Any]
    path: str = "默认配置"
    lineage: tuple[str, ...] = (DEFAULT_NAME,)  # the named profiles it is built on

    @property
    def name(self) -> str:
        return str(self.data["about"]["name"])

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

    @property
    def weight_word(self) -> str:
        """What the forms call an indicator's points: 分值 (national), 权重 (四川)."""
        return str(self.data["wording"]["weight"])

    def framework(self) -> dict[str, tuple[str, ...]]:
        """The allowed (一级 → 二级) pairs: the union of the profile's frameworks."""
        merged: dict[str, list[str]] = {}
        for name in self.frameworks:
            for level1, level2s in self.framework_table(name).items():
                bucket = merged.setdefault(level1, [])
                bucket.extend(x for x in level2s if x not in bucket)
        return {k: tuple(v) for k, v in merged.items()}

    def known_level2s(self) -> frozenset[str]:
        """Every 二级 of every framework xltools knows: the national ones and this profile's
        own. A 二级 outside all of them is unknown (R14, a warning); a known 二级 outside
        the chosen frameworks is a framework error (D10/S16)."""
        tables = [*FRAMEWORKS.values(), *map(self.framework_table, self.data["framework"])]
        return frozenset(b for table in tables for level2s in table.values() for b in level2s)

    def framework_table(self, name: str) -> dict[str, tuple[str, ...]]:
        """A framework by name: one of the profile's own ``[framework.NAME]`` or 2021/2015."""
        own = self.data["framework"].get(name)
        if own is not None:
            return {k: tuple(v) for k, v in own.items()}
        return FRAMEWORKS[name]

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data[name])

    def sets(self) -> list[str]:
        """What this profile changes from 全国, as ``key = value`` lines."""
        return [f"{k} = {_show(v)}" for k, v in _diff(_default_data(), self.data, "")]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_show(v)}" for k, v in value.items()) + "}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _diff(base: dict[str, Any], data: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if name == "about":
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict) and value:
            if name + "." in _FREE_TABLES:
                out += [(f"{name}.{k}", v) for k, v in value.items() if base[key].get(k) != v]
            else:
                out += _diff(base[key], value, f"{name}.")
        elif base.get(key) != value:
            out.append((name, value))
    return out


@functools.cache
def _default_text() -> str:
    return resources.files("xltools.profiles").joinpath("default.toml").read_text("utf-8")


def _default_data() -> dict[str, Any]:
    return tomllib.loads(_default_text())


@functools.cache
def named_files() -> dict[str, str]:
    """Named profile → the text of its TOML file, 全国 first, as shipped in the package."""
    out = {DEFAULT_NAME: _default_text()}
    folder = resources.files("xltools.profiles")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name != "default.toml":
            text = entry.read_text("utf-8")
            out[str(tomllib.loads(text)["about"]["name"])] = text
    return out


def named_profiles() -> list[Profile]:
    """Every profile shipped with xltools (``xltools profiles``)."""
    return [load_profile(name) for name in named_files()]


def load_profile(spec: str | Path | Profile | None = None) -> Profile:
    """The default profile (全国), a named profile (``"上海市级"``), or the TOML file at
    ``spec`` (which may ``extends = "上海市级"``) over the default."""
    if isinstance(spec, Profile):
        return spec
    if spec is None or str(spec) == DEFAULT_NAME:
        return Profile(_default_data())
    path = Path(spec)
    if str(spec) in named_files() and not path.is_file():
        data, lineage = _named(str(spec), ())
        return Profile(data, str(spec), lineage)
    try:
        text = path.read_text("utf-8")
        user = tomllib.loads(text)
    except FileNotFoundError:
        names = "、".join(named_files())
        raise UserError(f"找不到规则配置文件：{spec}（内置的规则配置有：{names}）") from None
    except UnicodeDecodeError:
        raise UserError(f"规则配置文件 {spec} 不是 UTF-8 编码的文本（请另存为 UTF-8）") from None
    except tomllib.TOMLDecodeError as exc:
        from xltools.profiles.syntax import describe

        raise UserError(f"规则配置文件 {spec} 不是有效的 TOML，{describe(exc, text)}") from None
    data, lineage = _build(user, str(spec), ())
    return Profile(data, str(spec), lineage)


def _named(name: str, seen: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    if name == DEFAULT_NAME:
        return _default_data(), (DEFAULT_NAME,)
    return _build(tomllib.loads(named_files()[name]), name, seen)


def _build(
    user: dict[str, Any], where: str, seen: tuple[str, ...]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The data of a profile file: its ``extends`` (or 全国) with the file's keys over it."""
    user = copy.deepcopy(user)
    base = user.pop("extends", DEFAULT_NAME)
    if not isinstance(base, str) or base not in named_files():
        names = "、".join(named_files())
        raise UserError(f"规则配置 {where} 的 extends 应为内置规则配置之一：{names}")
    if base in seen:
        raise UserError(f"规则配置 {where} 的 extends 形成了循环：{'→'.join((*seen, base))}")
    data, lineage = _named(base, (*seen, base))
    about = data["about"]
    data["about"] = {"name": "", "source": "", "description": ""}
    _merge(data, user, prefix="")
    if not data["about"]["name"]:
        data["about"]["name"] = Path(where).stem
    if not data["about"]["source"]:
        data["about"]["source"] = f"{about['name']}：{about['source']}"
    _validate(data)
    return data, (*lineage, data["about"]["name"])


def _merge(base: dict[str, Any], user: dict[str, Any], prefix: str) -> None:
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in base and prefix not in _FREE_TABLES:
            raise UserError(f"规则配置中没有 “{name}” 这一项（请检查拼写）")
        if isinstance(base.get(key), dict) and prefix not in _FREE_TABLES:
            if not isinstance(value, dict):
                raise UserError(f"规则配置项 “{name}” 应为一个表（[{name}]）")
            _merge(base[key], value, prefix=f"{name}.")
        else:
            base[key] = value


def _validate(data: dict[str, Any]) -> None:
    def need(ok: bool, key: str, what: str) -> None:
        if not ok:
            raise UserError(f"规则配置项 “{key}” 的值无效：应为{what}")

    for name, table in data["framework"].items():
        key = f"framework.{name}"
        need(isinstance(table, dict) and bool(table), key, "一级指标 = [二级指标, …] 的表")
        for level1, level2s in table.items():
            need(
                isinstance(level2s, list) and bool(level2s) and all(_text(x) for x in level2s),
                f"{key}.{level1}",
                "非空的二级指标名称列表",
            )
    known = (*FRAMEWORKS, *data["framework"])
    frameworks = data["frameworks"]
    need(isinstance(frameworks, list) and bool(frameworks), "frameworks", "非空列表")
    need(all(f in known for f in frameworks), "frameworks", "、".join(f"“{k}”" for k in known))
    need(_is_number(data["tolerance"]) and data["tolerance"] >= 0, "tolerance", "非负数")
    need(data["rounding"] in ROUNDINGS, "rounding", "“half-up”、“truncate” 或 “ceil”")
    for grade, floor in data["grades"].items():
        need(_is_number(floor) and 0 <= floor <= 100, f"grades.{grade}", "0 到 100 之间的数")
    for key, value in data["weights"].items():
        if key == "cost_counts_as":
            need(value in ("产出指标", "成本指标"), "weights.cost_counts_as", "产出指标或成本指标")
        else:
            need(_is_number(value) and value >= 0, f"weights.{key}", "非负数")
    _validate_scoring(data["scoring"], need)
    need(all(_text(x) for x in data["targets"]["vague"]), "targets.vague", "文字列表")
    need(_text(data["wording"]["weight"]), "wording.weight", "文字（如 “分值” 或 “权重”）")
    need(data["merge"]["money_unit"] in ("元", "万元"), "merge.money_unit", "“元” 或 “万元”")
    for rule, sev in data["severity"].items():
        if rule.upper() not in RULES:  # a typo ("S7") would otherwise change nothing
            raise UserError(
                f"规则配置中没有 “severity.{rule}” 这一规则编号（请检查拼写，见 xltools rules）"
            )
        need(sev in SEVERITIES, f"severity.{rule}", "错误、警告或提示")


def _validate_scoring(scoring: dict[str, Any], need: Any) -> None:
    need(_is_number(scoring["over_achievement"]), "scoring.over_achievement", "数字")
    deduction = scoring["over_achievement_deduction"]
    need(_is_number(deduction) and deduction >= 0, "scoring.over_achievement_deduction", "非负数")
    need(scoring["reverse"] in ("linear", "ratio"), "scoring.reverse", "“linear” 或 “ratio”")
    below = scoring["reason_below_rate"]
    need(_is_number(below) and 0 <= below <= 100, "scoring.reason_below_rate", "0 到 100 之间的数")
    caps = scoring["rate_caps"]
    need(
        isinstance(caps, list)
        and all(
            isinstance(c, list) and len(c) == 2 and all(_is_number(x) for x in c) for c in caps
        ),
        "scoring.rate_caps",
        "[[执行率低于, 总分最高], …] 形式的列表，如 [[80, 89], [70, 79]]",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
