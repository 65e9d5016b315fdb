"""The file system as it is: links, loops, pipes, devices and files that vanish mid-run.

Only regular files are ever opened: a FIFO named ``x.xlsx`` blocks any reader forever and
``/dev/zero`` never ends. Every path a user gave, and every workbook-named entry of a
folder, is kept as an input, so that what cannot be read becomes a finding for that path
instead of being skipped in silence or ending the run.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from xltools.catalogue import message

READABLE = (".xlsx", ".xlsm", ".xls", ".ods", ".et")  # .et: WPS 表格, OLE or zip, read by content
# Office's owner files ("~$申报表.xlsx", LibreOffice ".~lock.…#") and our own temp files
# (a killed run leaves ".xltools-….xlsx" beside its output): never inputs.
NOT_INPUTS = ("~$", ".~lock", ".xltools-")


class NotReadable(Exception):
    """Why ``path`` cannot be read (Chinese); ``rule`` is R01 or R21."""

    def __init__(self, message: str, rule: str = "R01") -> None:
        super().__init__(message)
        self.rule = rule


def is_input_name(name: str) -> bool:
    return name.lower().endswith(READABLE) and not name.startswith(NOT_INPUTS)


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path]:
    """Workbook-named entries under ``folder``, following links to folders once (no loops)."""
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return  # a link back up the tree
        seen.add((info.st_dev, info.st_ino))
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        yield folder  # an unreadable folder: reported by the reader as its own finding
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows links; False for a dangling link or a loop
        except OSError:
            is_dir = False
        if is_dir and not entry.name.startswith(NOT_INPUTS):
            yield from _walk(path, seen)
        elif is_input_name(entry.name):
            yield path


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files given directly, and the workbook-named entries inside given folders."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += _walk(p, set())
        else:
            out.append(p)
    return out


_MESSAGES = {  # errno → (rule, case) of its message in the catalogue
    errno.ENOENT: ("R01", "missing"),
    errno.EACCES: ("R01", "no_permission"),
    errno.EPERM: ("R01", "no_permission"),
    errno.ELOOP: ("R21", "loop"),
    errno.ENAMETOOLONG: ("R01", "name_too_long"),
}


def _os_message(exc: OSError) -> str:
    known = _MESSAGES.get(exc.errno or 0)
    return message(*known) if known else message("R01", "os", error=exc.strerror or exc)


def regular_size(path: Path) -> int:
    """The size of ``path`` if it is a regular file we may read; else NotReadable."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise NotReadable(message("R21", "dangling"), "R21") from None
        raise NotReadable(message("R01", "missing")) from None
    except OSError as exc:
        raise NotReadable(_os_message(exc), "R21" if exc.errno == errno.ELOOP else "R01") from None
    if stat.S_ISDIR(info.st_mode):
        if not os.access(path, os.R_OK | os.X_OK):
            raise NotReadable(message("R01", "folder_denied"))
        raise NotReadable(message("R01", "folder"))
    if not stat.S_ISREG(info.st_mode):
        kind = "管道（FIFO）" if stat.S_ISFIFO(info.st_mode) else "设备或套接字"
        raise NotReadable(message("R21", "special", kind=kind), "R21")
    return info.st_size


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes; the file may not block (a pipe swapped in), vanish or deny us."""
    try:
        with open_regular(path) as fh:
            return fh.read(size)
    except OSError as exc:
        raise NotReadable(_os_message(exc)) from None


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; a pipe never blocks the open."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotReadable(message("R21", "not_regular"), "R21")
    return os.fdopen(fd, "rb")


def same_file(a: Path, b: Path) -> bool:
    """The same file by resolved path, or by inode (hard links, bind mounts, case folding)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
