"""Reading an .xls in a child process: a native abort there costs that file, not the batch.

calamine's compound-file (OLE) reader trusts sizes in the file's header: a byte flipped in a
real LibreOffice-saved .xls made it ask for 1 TB and abort the whole process (found by the
fuzz campaign; an abort cannot be caught). The BIFF records (limits.check_xls) say nothing
about that header, so each .xls is read by a small child process — Python with
python-calamine only, no xltools, ~50 ms — under a memory limit and a time limit. The zip
formats (.xlsx, .xlsm, .ods), which are nearly all inputs, are read in this process:
their limits are checked before calamine allocates (limits.py), and 7,000 fuzzed zip
workbooks gave no abort.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

from xltools.catalogue import message

TIMEOUT = 60  # seconds for one .xls (a form takes well under one)
MEMORY = 2 << 30  # bytes of address space for the child (a form needs ~100 MB)

# The child: read every sheet, send (name, rows or an error text, merged ranges) back pickled.
_CHILD = """
import pickle, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
except (ImportError, ValueError, OSError):
    pass
import python_calamine
out = []
try:
    book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
except BaseException as exc:
    out = str(exc)
else:
    for meta in book.sheets_metadata:
        hidden = str(meta.visible).rsplit(".", 1)[-1] != "Visible"
        try:
            sheet = book.get_sheet_by_name(meta.name)
            end = sheet.end or (-1, -1)
            if (end[0] + 1) * (end[1] + 1) > int(sys.argv[3]):
                out.append((meta.name, ("area", end[0] + 1, end[1] + 1), (), hidden))
                continue
            rows = sheet.to_python(skip_empty_area=False)
            out.append((meta.name, rows, list(sheet.merged_cell_ranges or ()), hidden))
        except BaseException as exc:
            out.append((meta.name, str(exc), (), hidden))
sys.stdout.buffer.write(pickle.dumps(out))
"""


class ChildFailed(Exception):
    """The child died (a native abort, out of memory: R01) or ran out of time (a limit:
    R20); the message is Chinese."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def read_xls(path: str, max_area: int) -> list[tuple[str, Any, list, bool]] | str:
    """Every sheet of the .xls at ``path`` as (name, rows | error text | ("area", h, w),
    merged ranges), or calamine's error text when the file cannot be opened."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, path, str(MEMORY), str(max_area)],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ChildFailed(message("R20", "timeout", seconds=TIMEOUT), "R20") from None
    if done.returncode != 0:
        raise ChildFailed(message("R01", "child_crashed"), "R01")
    return pickle.loads(done.stdout)
