"""一级/二级 by the indicator framework: synonyms, and a 一级 inferred from its 二级.

A form may leave 一级 blank at the top of its table, or a merged 一级 may run over a
row whose 二级 belongs elsewhere (湖南: 社会公众或服务对象满意度指标 under a merged
效益指标). When the 二级 belongs to exactly one 一级 of the framework, that 一级 is read
and the change is reported (R13); an unknown 二级 under a known 一级 is a warning (R14).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xltools.forms.vocabulary import LEVEL2_SYNONYMS


def canonical_level2(name: str | None) -> str | None:
    """The framework's name for a regional 二级 (社会效益 → 社会效益指标)."""
    return LEVEL2_SYNONYMS.get(name, name) if name else name


@dataclass(frozen=True)
class Framework:
    pairs: frozenset[tuple[str, str]]
    level1s: frozenset[str]
    level2s: frozenset[str]
    owners: dict[str, str]  # 二级 → the only 一级 it belongs to
    known: frozenset[str]  # every 二级 of every framework (national and the profile's own)

    @classmethod
    def of(cls, framework: dict[str, tuple[str, ...]], known: frozenset[str]) -> Framework:
        pairs = frozenset((l1, l2) for l1, l2s in framework.items() for l2 in l2s)
        under: dict[str, set[str]] = {}
        for a, b in pairs:
            under.setdefault(b, set()).add(a)
        owners = {b: next(iter(a)) for b, a in under.items() if len(a) == 1}
        return cls(pairs, frozenset(a for a, _ in pairs), frozenset(under), owners, known)

    def owner(self, level2: str | None) -> str | None:
        """The only 一级 ``level2`` belongs to (None: unknown, or under several)."""
        return self.owners.get(level2) if level2 else None


_FRAMEWORKS: dict[str, Framework] = {}


def framework_of(profile: Any) -> Framework:
    """The profile's framework, built once per run (the same few pairs for every form)."""
    # Keyed by content: two profiles may give one custom framework name different lists.
    key = repr((profile.frameworks, profile.data["framework"]))
    if key not in _FRAMEWORKS:
        _FRAMEWORKS[key] = Framework.of(profile.framework(), profile.known_level2s())
    return _FRAMEWORKS[key]


def inferred_level1(
    framework: Framework, level1: str | None, level2: str | None, carried: bool
) -> str | None:
    """The 一级 to read instead of ``level1``, or None to keep it.

    ``carried``: ``level1`` was not written on this row but taken from the rows above.
    """
    if level2 is None or (level1, level2) in framework.pairs:
        return None
    owner = framework.owner(level2)
    if owner is None or owner == level1:
        return None
    return owner if level1 is None or carried else None


def unknown_level2(framework: Framework, level1: str | None, level2: str | None) -> bool:
    """A 二级 no framework knows, under a 一级 it does know (R14, a warning)."""
    return bool(level2) and level1 in framework.level1s and level2 not in framework.known
