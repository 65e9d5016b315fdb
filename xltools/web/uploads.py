"""Uploaded files onto disk, inside one folder only, under limits.

The multipart body is parsed as it streams in (python-multipart) and each file is
written straight into the job's folder under a cleaned relative name: nothing is
spooled to the system's temp folder, nothing lands outside the folder, and a body
over a limit stops being read at once. Zip files are then unpacked the same way:
member names are cleaned (no absolute paths, no ``..``), links and encrypted members
are refused, and the count, total size and compression ratio are bounded.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from xltools.errors import UserError
from xltools.files import safe_filename
from xltools.read.workbook import READABLE

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    request_bytes: int = 200 * MB  # one upload, all its files together
    files: int = 2000  # files in one upload, zip members included
    field_bytes: int = 64 * 1024  # one text field of a form
    unzipped_bytes: int = 500 * MB  # all members of all zips of one upload, unpacked
    ratio: int = 100  # unpacked size ÷ packed size of one member (zip bombs)
    depth: int = 8  # folders inside an upload or a zip


class UploadRefused(UserError):
    """An upload over a limit or not well formed: a Chinese message, HTTP 400/413."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


_SEPARATORS = re.compile(r"[\\/]+")


def safe_relpath(name: str, depth: int) -> PurePosixPath | None:
    """``../a/b:c.xlsx`` → ``a/b_c.xlsx``: each part a safe file name, none empty or dots.

    ``None`` when nothing usable is left. Absolute paths, drive letters and ``..`` never
    survive: every part goes through :func:`xltools.files.safe_filename`.
    """
    parts = [p for p in _SEPARATORS.split(name) if p.strip(" .")]
    if not parts:
        return None
    parts = parts[-(depth + 1) :]
    clean = [safe_filename(p, suffix="", fallback="_") for p in parts]
    return PurePosixPath(*clean)


def place(folder: Path, rel: PurePosixPath) -> Path:
    """``folder/rel``, numbered when taken, and proven to lie inside ``folder``."""
    target = folder.joinpath(*rel.parts)
    stem, suffix = os.path.splitext(target.name)
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{stem}({n}){suffix}")
    root = folder.resolve()
    if not target.resolve().is_relative_to(root) or target.resolve() == root:
        raise UploadRefused(f"文件名不合法：{rel}")
    return target


@dataclass
class Upload:
    """What one form post brought: its text fields and the files saved, by field name."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # names not saved, with the reason

    def first(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


class _Receiver:
    """python-multipart callbacks writing each file part into ``folders[field]``."""

    def __init__(
        self, folders: dict[str, Path], limits: Limits, first_field: str | None, check_first
    ) -> None:
        self.folders, self.limits = folders, limits
        self.first_field, self.check_first = first_field, check_first
        self.upload = Upload()
        self.parts = 0
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.text: bytearray | None = None
        self.out: IO[bytes] | None = None
        self.path: Path | None = None

    def on_part_begin(self) -> None:
        self.disposition, self.header_name, self.header_value = b"", b"", b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        self.parts += 1
        first = self.parts == 1 and self.first_field is not None
        if first and (self.name != self.first_field or b"filename" in options):
            raise UploadRefused("表单已过期，请刷新页面后重新提交", 403)
        if b"filename" not in options:
            self.text = bytearray()
            return
        self.text = None
        filename = options[b"filename"].decode("utf-8", "replace")
        folder = self.folders.get(self.name)
        rel = safe_relpath(filename, self.limits.depth) if folder is not None else None
        if rel is None:
            if filename:
                self.upload.skipped.append(f"{filename}：无法使用的文件名或字段")
            return
        if sum(map(len, self.upload.files.values())) >= self.limits.files:
            raise UploadRefused(f"一次最多上传 {self.limits.files} 个文件", 413)
        try:
            self.path = place(folder, rel)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.out = open(self.path, "xb")  # noqa: SIM115 - closed in on_part_end
        except OSError:  # e.g. "a.xlsx" and then "a.xlsx/b.xlsx"
            self.upload.skipped.append(f"{filename}：无法保存（与另一个文件的名称冲突）")
            return
        self.upload.files.setdefault(self.name, []).append(self.path)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.out is not None:
            self.out.write(data[start:end])
        elif self.text is not None:
            self.text += data[start:end]
            if len(self.text) > self.limits.field_bytes:
                raise UploadRefused("表单中的文字过长", 413)

    def on_part_end(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
        elif self.text is not None:
            value = self.text.decode("utf-8", "replace")
            if self.parts == 1 and self.first_field is not None:
                self.check_first(value)
            self.upload.fields.setdefault(self.name, value)
            self.text = None

    def on_end(self) -> None:
        pass

    def close(self) -> None:
        if self.out is not None:
            self.out.close()


async def receive(
    content_type: str,
    stream: AsyncIterator[bytes],
    folders: dict[str, Path],
    limits: Limits,
    *,
    first_field: str | None = None,
    check_first=None,
) -> Upload:
    """Parse a multipart body: text fields kept, file fields saved under ``folders[name]``.

    ``first_field``: the body must begin with this text field, and ``check_first`` is
    called with its value before any file is written (the CSRF token).
    Files of fields not in ``folders`` are not saved. The caller bounds the body size.
    """
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("上传的内容格式不正确（应为 multipart/form-data）")
    receiver = _Receiver(folders, limits, first_field, check_first)
    callbacks = {
        name: getattr(receiver, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_end",
        )
    }
    parser = MultipartParser(boundary, callbacks)
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise UploadRefused("上传的内容不完整或格式不正确，请重新上传") from None
    finally:
        receiver.close()
    return receiver.upload


# -- zip files ---------------------------------------------------------------------------


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author typed it: zips made on Chinese Windows store GBK
    names without the UTF-8 flag, which :mod:`zipfile` decodes as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


@dataclass
class Unpacked:
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def unzip(archive: Path, folder: Path, limits: Limits, budget: list[int]) -> Unpacked:
    """The readable workbooks of ``archive`` into ``folder``, safely; other members skipped.

    ``budget``: [files left, bytes left] for the whole upload, decremented here.
    The sizes are counted while writing, not taken from the zip's own (forgeable) header.
    """
    out = Unpacked()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise UploadRefused(f"压缩包已损坏或不是 zip 文件：{archive.name}") from None
    with zf:
        for info in zf.infolist():
            name = member_name(info)
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                out.skipped.append(f"{name}：压缩包中的链接，已跳过")
                continue
            if info.flag_bits & 0x1:
                out.skipped.append(f"{name}：压缩包中的文件已加密，已跳过")
                continue
            rel = safe_relpath(name, limits.depth)
            if rel is None or rel.suffix.lower() not in READABLE:
                out.skipped.append(f"{name}：不是表格文件，已跳过")
                continue
            if rel.name.startswith(("~$", ".~lock")):
                continue
            if budget[0] <= 0:
                raise UploadRefused(f"一次最多上传 {limits.files} 个文件（含压缩包中的文件）", 413)
            if info.compress_size and info.file_size > max(MB, info.compress_size * limits.ratio):
                raise UploadRefused(
                    f"压缩包中的文件压缩比过高（超过 {limits.ratio} 倍），疑似压缩炸弹：{name}", 413
                )
            target = place(folder, rel)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                out.skipped.append(f"{name}：无法保存（与另一个文件的名称冲突）")
                continue
            _copy_bounded(zf, info, target, limits, budget, name)
            budget[0] -= 1
            out.files.append(target)
    return out


def _copy_bounded(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: Limits, budget, name
) -> None:
    packed = max(1, info.compress_size)
    written = 0
    try:
        with zf.open(info) as src, open(target, "xb") as dst:
            while block := src.read(MB):
                written += len(block)
                budget[1] -= len(block)
                if budget[1] < 0:
                    raise UploadRefused(
                        f"压缩包解压后超过 {limits.unzipped_bytes // MB} MB，请分批上传", 413
                    )
                if written > max(MB, packed * limits.ratio):
                    raise UploadRefused(
                        f"压缩包中的文件压缩比过高（超过 {limits.ratio} 倍），疑似压缩炸弹：{name}",
                        413,
                    )
                dst.write(block)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        target.unlink(missing_ok=True)
        raise UploadRefused(f"压缩包中的文件无法解压：{name}") from None
    except UploadRefused:
        target.unlink(missing_ok=True)
        raise


def unpack_all(paths: list[Path], limits: Limits) -> Unpacked:
    """Each ``.zip`` among ``paths`` unpacked beside itself (into ``名称/``) and removed."""
    out = Unpacked()
    budget = [limits.files - sum(p.suffix.lower() != ".zip" for p in paths), limits.unzipped_bytes]
    for path in paths:
        if path.suffix.lower() != ".zip":
            out.files.append(path)
            continue
        folder = place(path.parent, PurePosixPath(path.stem or "压缩包"))
        folder.mkdir()
        got = unzip(path, folder, limits, budget)
        path.unlink()
        out.files += got.files
        out.skipped += [f"{path.name}/{s}" for s in got.skipped]
    return out
