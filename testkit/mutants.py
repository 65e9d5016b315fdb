"""Seeded mutants of valid workbooks: what a damaged disk, a bad download or an attacker sends.

``mutant(seeds, seed)`` → (suffix, bytes, what). The same seed always gives the same file,
so a failure found by ``tests/fuzz/run.py`` is replayed with its number alone.

Mutations: byte flips, truncation, a dropped or emptied zip part, bytes flipped inside a
part's XML (a valid zip with broken XML), a far cell, odd values in cells (inf, nan,
1e300, far-out dates under a date format, error and boolean cells), markup and formulas in
text, and several at once.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from xltools.forms import col_letter

ODD_VALUES = (
    "<v>1e999</v>",
    "<v>-1e999</v>",
    "<v>NaN</v>",
    "<v>1e300</v>",
    "<v>-5</v>",
    "<v>2958466</v>",
    "<v>abc</v>",
    "<v></v>",
    "<v>99999999999999999999999</v>",
)
ODD_TEXTS = (
    "[/x]",
    "[link=https://example.com]点我[/link]",
    '=HYPERLINK("https://example.com","点我")',
    "=100%",
    "@A1",
    "-1+2",
    "\t=1",
    "_x0008_",
    "绩效目标申报表",
    "财政项目支出绩效自评表",
    "x" * 40000,
)


def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """The parts zipped again, each with its own time stamp (not the clock's, so that the
    same mutant number gives the same bytes on every run)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.external_attr = 0o600 << 16  # what writestr gives a part named by a string
            zf.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet_index(parts: list, rng: random.Random, prefix: str = "xl/worksheets/") -> int | None:
    found = [i for i, (info, _) in enumerate(parts) if info.filename.startswith(prefix)]
    found += [i for i, (info, _) in enumerate(parts) if info.filename == "content.xml"]
    return rng.choice(found) if found else None


# -- whole-file mutations -------------------------------------------------------------------------


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


# -- part mutations (the zip stays valid) ----------------------------------------------------------


def drop_part(data: bytes, rng: random.Random) -> bytes:
    parts = _parts(data)
    del parts[rng.randrange(len(parts))]
    return _zip(parts)


def empty_part(data: bytes, rng: random.Random) -> bytes:
    parts = _parts(data)
    i = rng.randrange(len(parts))
    parts[i] = (parts[i][0], b"")
    return _zip(parts)


def flip_xml(data: bytes, rng: random.Random) -> bytes:
    parts = _parts(data)
    i = rng.randrange(len(parts))
    parts[i] = (parts[i][0], flip_bytes(parts[i][1], rng) if parts[i][1] else b"<")
    return _zip(parts)


def _edit_sheet(data: bytes, rng: random.Random, edit: Callable[[bytes], bytes]) -> bytes:
    parts = _parts(data)
    i = _sheet_index(parts, rng)
    if i is None:
        return flip_bytes(data, rng)
    parts[i] = (parts[i][0], edit(parts[i][1]))
    return _zip(parts)


def far_cell(data: bytes, rng: random.Random) -> bytes:
    row = rng.choice((rng.randint(1, 200), rng.randint(1, 1_048_576), 1_048_576))
    col = rng.choice((rng.randint(1, 30), rng.randint(1, 16_384), 16_384))
    cell = b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (row, col_letter(col).encode(), row)
    ods = (
        b'<table:table-row table:number-rows-repeated="%d"><table:table-cell '
        b'table:number-columns-repeated="%d" office:value-type="float" office:value="1"/>'
        b"</table:table-row>" % (row, col)
    )

    def edit(xml: bytes) -> bytes:
        if b"</sheetData>" in xml:
            return xml.replace(b"</sheetData>", cell + b"</sheetData>", 1)
        return xml.replace(b"</table:table>", ods + b"</table:table>", 1)

    return _edit_sheet(data, rng, edit)


_V = re.compile(rb"<v>[^<]*</v>")
_CELL_OPEN = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?>')


def odd_values(data: bytes, rng: random.Random) -> bytes:
    def edit(xml: bytes) -> bytes:
        hits = list(_V.finditer(xml))
        for m in rng.sample(hits, min(len(hits), rng.randint(1, 8))):
            value = rng.choice(ODD_VALUES).encode()
            xml = xml[: m.start()] + value.ljust(m.end() - m.start()) + xml[m.end() :]
        return xml

    return _edit_sheet(data, rng, edit)


def odd_cells(data: bytes, rng: random.Random) -> bytes:
    """Cells retyped: error (t="e"), boolean, a random style (dates), inline text."""

    def edit(xml: bytes) -> bytes:
        hits = list(_CELL_OPEN.finditer(xml))
        for m in sorted(
            rng.sample(hits, min(len(hits), rng.randint(1, 6))), key=lambda m: -m.start()
        ):
            kind = rng.choice((b' t="e"', b' t="b"', b' s="%d"' % rng.randint(0, 40), b""))
            xml = xml[: m.start()] + b'<c r="' + m.group(1) + b'"' + kind + b">" + xml[m.end() :]
        return xml

    return _edit_sheet(data, rng, edit)


def odd_texts(data: bytes, rng: random.Random) -> bytes:
    parts = _parts(data)
    names = [
        i
        for i, (info, _) in enumerate(parts)
        if info.filename.endswith(("sharedStrings.xml", "content.xml"))
    ]
    if not names:
        return flip_bytes(data, rng)
    i = rng.choice(names)
    texts = list(re.finditer(rb"<(t|text:p)>[^<]*</\1>", parts[i][1]))
    xml = parts[i][1]
    for m in sorted(
        rng.sample(texts, min(len(texts), rng.randint(1, 5))), key=lambda m: -m.start()
    ):
        tag = m.group(1)
        text = (
            rng.choice(ODD_TEXTS).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        )
        xml = xml[: m.start()] + b"<%s>%s</%s>" % (tag, text.encode(), tag) + xml[m.end() :]
    parts[i] = (parts[i][0], xml)
    return _zip(parts)


ZIP_MUTATIONS = (drop_part, empty_part, flip_xml, far_cell, odd_values, odd_cells, odd_texts)
ANY_MUTATIONS = (flip_bytes, truncate)


def mutant(seeds: list[Path], seed: int) -> tuple[str, bytes, str]:
    """Mutant number ``seed`` of one of ``seeds``: (suffix, bytes, description)."""
    rng = random.Random(seed)
    source = seeds[rng.randrange(len(seeds))]
    data = source.read_bytes()
    is_zip = data.startswith(b"PK")
    done = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        pool = ZIP_MUTATIONS + ANY_MUTATIONS if is_zip and data.startswith(b"PK") else ANY_MUTATIONS
        mutation = rng.choice(pool)
        try:
            data = mutation(data, rng) if data else data
        except Exception:  # a previous mutation broke the zip (zipfile raises many types)
            data = flip_bytes(data, rng) if data else data
        done.append(mutation.__name__)
    return source.suffix, data, f"{source.name}: {'+'.join(done)}"
