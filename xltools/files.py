"""Safe output: atomic writes, no overwriting without --force, Windows-safe names."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from xltools.errors import UserError
from xltools.read.paths import same_file

_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_STEM = 80


def safe_filename(name: str, suffix: str = ".xlsx", fallback: str = "未命名项目") -> str:
    """A file name Windows, macOS and Linux all accept, keeping the Chinese text.

    ``医疗保障费用审核结算系统/运维`` → ``医疗保障费用审核结算系统_运维.xlsx``.
    """
    stem = _BAD_CHARS.sub("_", unicodedata.normalize("NFC", name or "")).strip().rstrip(". ")
    stem = re.sub(r"\s+", " ", stem)[:MAX_STEM].rstrip(". ") or fallback
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem + suffix


def unique_path(folder: Path, filename: str, taken: set[str]) -> Path:
    """``folder/filename``, numbered ``(2)``, ``(3)`` … when a name repeats in one run."""
    stem, suffix = os.path.splitext(filename)
    candidate, n = filename, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}({n}){suffix}"
    taken.add(candidate.casefold())
    return folder / candidate


def is_input(path: Path, inputs: Iterable[Path]) -> bool:
    """``path`` is one of ``inputs``: the same resolved path, or the same inode when it exists
    (a hard link, another spelling of a case-insensitive name, a bind mount)."""
    exists = path.exists()
    resolved = path.resolve()
    return any(resolved == p.resolve() or (exists and same_file(path, p)) for p in inputs)


def check_writable(path: Path, force: bool, inputs: Iterable[Path] = ()) -> None:
    """Refuse to overwrite an existing file without --force, and never overwrite an input."""
    if is_input(path, inputs):
        raise UserError(f"输出文件不能与输入文件相同（输入文件只读取，不会被覆盖）：{path}")
    if path.exists() and not force:
        raise UserError(f"文件已存在：{path}（如需覆盖，请加 --force）")
    if path.exists() and path.is_dir():
        raise UserError(f"输出路径是一个文件夹：{path}")


FULL_DISK = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
TEMP_PREFIX = ".xltools-"  # never an input (paths.NOT_INPUTS): a killed run's leftovers


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success.

    A crash or an error halfway never leaves a half-written workbook under the
    user's chosen name, and an existing file is replaced in one step. The file gets the
    mode any new file of the user gets (mkstemp makes it 0600: colleagues on a shared
    folder could not open the outputs).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is known before the file exists, and made inside the try: an interrupt
    # (Ctrl+C, SIGTERM) at any point leaves nothing behind.
    tmp = _temp_name(path.parent, path.suffix)
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def scratch_dir(beside: Path) -> Iterator[str]:
    """A hidden folder beside an output for a writer's own temp files, always removed.

    xlsxwriter keeps each worksheet in a temp file until it closes the workbook; in /tmp a
    killed merge left them behind. Here they are ``.xltools-…``, skipped by later runs.
    """
    beside.parent.mkdir(parents=True, exist_ok=True)
    # Named first, created inside the try (a SIGTERM right after mkdtemp once left it).
    folder = _temp_name(beside.parent, "")
    try:
        folder.mkdir(mode=0o700)
        yield str(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _temp_name(folder: Path, suffix: str) -> Path:
    """A ``.xltools-…`` name in ``folder`` that nothing holds yet (later runs skip it)."""
    while True:
        candidate = folder / f"{TEMP_PREFIX}{secrets.token_hex(6)}{suffix}"
        if not os.path.lexists(candidate):
            return candidate
