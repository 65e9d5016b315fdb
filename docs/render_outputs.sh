#!/usr/bin/env bash
# Render the demo's outputs as a finance office prints them, to docs/outputs/*.png:
# `xltools demo` in a temporary folder, LibreOffice prints the consolidated workbook and
# one annotated copy to PDF, poppler's pdftoppm rasterises the pages the README shows.
# Pages are found by their footer (the sheet's name), so the script survives new sheets.
# Needs soffice (libreoffice-calc), pdftoppm and pdftotext (poppler-utils), xltools on PATH.
#   bash docs/render_outputs.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/docs/outputs"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for tool in soffice pdftoppm pdftotext xltools; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool" >&2; exit 1; }
done

# Run where the README's quick start runs it, so the 来源文件 shown are the same paths.
(cd "$WORK" && xltools demo xltools-示例 >/dev/null)
DEMO="$WORK/xltools-示例"
COPY="自评表_公共服务窗口运行经费（示例：含错误）"
cp "$DEMO/汇总.xlsx" "$WORK/汇总.xlsx"
cp "$DEMO/退回修改/$COPY.xlsx" "$WORK/批注副本.xlsx"
# 宋体's widths where LibreOffice on Linux has no 宋体 (see fonts.conf).
FONTCONFIG_FILE="$ROOT/docs/fonts.conf" soffice "-env:UserInstallation=file://$WORK/profile" \
    --headless --norestore --convert-to pdf --outdir "$WORK" "$WORK/汇总.xlsx" "$WORK/批注副本.xlsx"

# page PDF TEXT [NTH]: the NTH page (default 1) whose text holds TEXT.
page() {
    local pdf=$1 text=$2 nth=${3:-1} pages n found=0
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
    for ((n = 1; n <= pages; n++)); do
        if pdftotext -f "$n" -l "$n" "$pdf" - | grep -qF "$text"; then
            found=$((found + 1))
            [ "$found" -eq "$nth" ] && { echo "$n"; return; }
        fi
    done
    echo "no page with '$text' in $pdf" >&2
    exit 1
}

# shot PDF PAGE NAME: one page as docs/outputs/NAME.png at 80 dpi.
shot() {
    pdftoppm -png -r 80 -f "$2" -l "$2" -singlefile "$1" "$OUT/$3"
    echo "$OUT/$3.png"
}

mkdir -p "$OUT"
M="$WORK/汇总.pdf"
C="$WORK/批注副本.pdf"
shot "$M" "$(page "$M" "项目汇总（2022自评表）")" "汇总-项目汇总-1"
shot "$M" "$(page "$M" "项目汇总（2022自评表）" 2)" "汇总-项目汇总-2"
shot "$M" "$(page "$M" "汇总表（2022自评表）")" "汇总-汇总表"
shot "$M" "$(page "$M" "各项目执行率")" "汇总-图表"
shot "$M" "$(page "$M" "条问题")" "汇总-校验结果"
shot "$C" 1 "批注副本-校验结果"
shot "$C" 2 "批注副本-表单"
