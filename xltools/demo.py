"""``xltools demo``: the whole workflow on the bundled examples, narrated in Chinese.

The examples are the real forms of the seeds, filled into our templates:
the 2025 declarations of 上海市长宁区医疗保险事务中心 and its 2022 self-evaluations.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xltools import api, render
from xltools.errors import UserError
from xltools.model import KIND_NAMES


def _prepare(folder: Path, force: bool) -> None:
    if folder.exists() and any(folder.iterdir()) and not force:
        raise UserError(f"文件夹 {folder} 已存在且不为空（如需覆盖其中的示例文件，请加 --force）")
    folder.mkdir(parents=True, exist_ok=True)


def _copy_examples(target: Path) -> list[Path]:
    """Copy the bundled example workbooks (or build them, in a fresh source tree)."""
    target.mkdir(parents=True, exist_ok=True)
    bundled = sorted(
        (p for p in api.examples_dir().iterdir() if p.name.endswith(".xlsx")), key=lambda p: p.name
    )
    if not bundled:
        return api.build_examples(target, force=True)
    out = []
    for item in bundled:
        dest = target / item.name
        with item.open("rb") as src, dest.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        out.append(dest)
    return out


def run(folder: Path, force: bool = False, console: Console | None = None) -> None:
    console = console or Console()
    _prepare(folder, force)
    console.print(f"[bold]xltools 演示[/bold]：所有文件写到 {escape(str(folder.resolve()))}\n")

    console.print("[bold]第 1 步  生成空白模板[/bold]（xltools template）")
    for kind, year in (("申报表", 2026), ("自评表", 2025)):
        path = api.write_template(folder / "模板" / f"{kind}.xlsx", kind, year=year, force=True)
        console.print(f"  {escape(str(path))}")

    console.print("\n[bold]第 2 步  收回各单位填好的表格[/bold]（示例：长宁区医保中心的真实表单）")
    returned = _copy_examples(folder / "收回的表格")
    console.print(f"  {len(returned)} 个文件，位于 {escape(str(returned[0].parent))}")

    console.print("\n[bold]第 3 步  读取为数据[/bold]（xltools read）")
    results = api.read([folder / "收回的表格"])
    out = folder / "读取结果.json"
    render.emit(render.records_json(results), out, force=True)
    console.print(_summary(results))
    problems = [f for r in results for f in r.findings]
    console.print(f"  读取问题：{len(problems)} 条；全部记录已写入 {escape(str(out))}")
    report = _check_step(folder, console)
    _notices_step(folder, report, console)
    _fix_step(folder, console)
    _merge_step(folder, console)
    _prefill_step(folder, console)
    console.print("\n完成。用 Excel 或 WPS 打开上面的文件看看吧。")


def _check_step(folder: Path, console: Console) -> Any:
    console.print(
        "\n[bold]第 4 步  逐项检查，生成退回修改的批注副本[/bold]（xltools check --annotate）"
    )
    console.print("  示例中有两个文件故意埋了错误（文件名含“示例：含错误”）。")
    report = api.check([folder / "收回的表格"])
    render.report_table(report, console)
    notes: list[str] = []
    annotated = api.annotate(report, folder / "退回修改", force=True, notes=notes)
    with_errors = [fr for fr in report.files if fr.findings]
    console.print(
        f"  批注副本 {len(annotated)} 个，位于 {escape(str(folder / '退回修改'))}"
        f"（其中 {len(with_errors)} 个有问题需要单位修改）"
    )
    for note in notes:
        console.print(f"  {escape(note)}")
    render.emit(render.report_csv(report), folder / "校验结果.csv", force=True, bom=True)
    console.print(f"  全部问题清单：{escape(str(folder / '校验结果.csv'))}")
    return report


def _notices_step(folder: Path, report: Any, console: Console) -> None:
    notices = api.write_notices(report, folder / "退回修改通知", force=True)
    for path in notices:
        console.print(f"  退回修改通知（Word，可直接打印、盖章后发给单位）：{escape(str(path))}")


def _fix_step(folder: Path, console: Console) -> None:
    console.print("\n[bold]第 5 步  自动改正确定无误之处[/bold]（xltools fix）")
    slipped = _slipped_return(folder / "待改正")
    console.print(f"  示例：{slipped.name} 中执行数写成了文本“615,326.02”，总分算成了 96。")
    [result] = api.fix([slipped], folder / "改正后", force=True)
    for change in result.changes:
        said = f"{change.location}：{change.shown(change.old)} → {change.shown(change.new)}"
        console.print(f"  {escape(said)}（{change.rule}，{change.note}）")
    console.print(f"  改正后的副本（末尾有“修改记录”工作表）：{escape(str(result.output))}")
    console.print(f"  其余 {len(result.remaining)} 条问题不能自动判断，仍由单位修改。")


def _slipped_return(target: Path) -> Path:
    """A returned 自评表 with two slips a clerk often makes, saved as Excel would."""
    from openpyxl import load_workbook

    from xltools.files import atomic_path
    from xltools.write.cached import formula_results, save_keeping_results

    record = next(
        r
        for r in api.example_records()
        if r.kind == "self_evaluation" and r.project_name == "公共服务窗口运行经费"
    )
    path = api.write_form(target / api.example_filename(record), record, force=True)
    book = load_workbook(path)
    results = formula_results(path, book)
    ws = book.worksheets[0]
    cells = api.read([path])[0].records[0].cells
    ws[cells["funds.total.executed"]] = "615,326.02"
    ws[cells["total_score"]] = 96
    with atomic_path(path) as tmp:
        save_keeping_results(book, tmp, results)
    return path


def _summary(results: list) -> Table:
    table = Table(title="读取到的项目", show_lines=False)
    for name in ("文件", "表单", "年度", "项目名称", "指标数", "总分"):
        table.add_column(name, overflow="fold")
    for res in results:
        for rec in res.records:
            score = getattr(rec, "total_score", None)
            table.add_row(
                escape(Path(res.file).name),
                KIND_NAMES[rec.kind],
                str(rec.year or ""),
                escape(rec.project_name or ""),
                str(len(rec.indicators)),
                "" if score is None else f"{score:.2f}",
            )
    return table


def _merge_step(folder: Path, console: Console) -> None:
    console.print("\n[bold]第 6 步  汇总成一个工作簿，交上级部门[/bold]（xltools merge）")
    out = folder / "汇总.xlsx"
    plan = api.merge([folder / "收回的表格"], out, force=True)
    console.print(f"  {escape(str(plan.title))}")
    console.print(f"  已汇总 {len(plan.entries)} 个项目：{escape(str(out))}")
    for source in plan.left_out:
        console.print(
            f"  未汇总：{escape(str(Path(source.file).name))}（{escape(str(source.reason))}）"
        )
    console.print(
        "  工作表：项目汇总、指标明细、汇总表（正式表样，逐页打印）、图表、校验结果、来源"
    )


def _prefill_step(folder: Path, console: Console) -> None:
    console.print("\n[bold]第 7 步  下一年度：由申报表预填自评表[/bold]（xltools prefill）")
    declarations = [
        p for p in (folder / "收回的表格").glob("申报表_*.xlsx") if "含错误" not in p.name
    ]
    result = api.prefill(declarations, folder / "预填的自评表", force=True)
    console.print(
        f"  已生成 {len(result.written)} 份自评表，位于 {escape(str(folder / '预填的自评表'))}："
    )
    console.print(
        "  指标和年度指标值照抄批复的申报表，分值按 产出 50 / 效益 30 / 满意度 10 / 预算执行率 10 建议。"
    )
    console.print(
        "  单位填好后，用 xltools check 自评表/ --declarations 申报表/ 核对与申报表是否一致。"
    )
