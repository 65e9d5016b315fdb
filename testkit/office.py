"""LibreOffice as an independent producer: ``soffice --headless --convert-to`` with a private,
recalculating profile.

LibreOffice runs with a private profile (parallel or stale profiles make ``soffice
--convert-to`` hand the job to another instance and silently do nothing) that forces
"recalculate on load", so a re-saved workbook carries formula results computed by a
real spreadsheet application, not the values xltools cached.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOFFICE_TIMEOUT = 180  # seconds; the first start also creates the profile

# LibreOffice's "Recalculation on file load" for OOXML: 0 = always (the default never does).
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_command(
    binary: str, profile: Path, fmt: str, outdir: Path, paths: list[Path]
) -> list[str]:
    """The ``soffice --convert-to`` command line for ``paths``, with the private ``profile``."""
    return [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *map(str, paths),
    ]


class Soffice:
    """``soffice --headless --convert-to`` with a private, recalculating profile."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary, self.profile = binary, profile
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")

    def convert(self, paths: list[Path], fmt: str, outdir: Path) -> list[Path]:
        """Convert all ``paths`` in one start of LibreOffice (a start costs 1–5 s)."""
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = convert_command(self.binary, self.profile, fmt, outdir, paths)
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False
        )
        outs = [outdir / f"{p.stem}.{fmt}" for p in paths]
        missing = [o.name for o in outs if not o.exists() or o.stat().st_size == 0]
        assert done.returncode == 0 and not missing, (
            f"soffice failed (exit {done.returncode}), missing {missing}:\n"
            f"{done.stdout}\n{done.stderr}"
        )
        return outs
