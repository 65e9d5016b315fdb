#!/usr/bin/env bash
# Render the first page of each committed template to docs/templates/<name>.png:
# LibreOffice prints the workbook to PDF, poppler's pdftoppm rasterises page 1 at 110 dpi.
# Needs soffice (libreoffice-calc) and pdftoppm (poppler-utils). Run from anywhere:
#   bash docs/render_templates.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/docs/templates"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool" >&2; exit 1; }
done

mkdir -p "$OUT"
# A private profile, so a running LibreOffice (or a stale lock) cannot swallow the job.
soffice "-env:UserInstallation=file://$WORK/profile" --headless --norestore \
    --convert-to pdf --outdir "$WORK" "$ROOT/templates/申报表.xlsx" "$ROOT/templates/自评表.xlsx"

for name in 申报表 自评表; do
    pdftoppm -png -r 110 -f 1 -l 1 -singlefile "$WORK/$name.pdf" "$OUT/$name"
    echo "$OUT/$name.png"
done
