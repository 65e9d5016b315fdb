"""``xltools demo``: the whole workflow on the bundled examples, narrated in Chinese.

The examples are the real forms of the seeds, filled into our templates:
the 2025 declarations of 上海市长宁区医疗保险事务中心 and its 2022 self-evaluations.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
    _check_step(folder, console)
    _merge_step(folder, console)
    _prefill_step(folder, console)
    console.print("\n完成。用 Excel 或 WPS 打开上面的文件看看吧。")


def _check_step(folder: Path, console: Console) -> None:
    console.print(
        "\n[bold]第 4 步  逐项检查，生成退回修改的批注副本[/bold]（xltools check --annotate）"
    )
    console.print("  示例中有两个文件故意埋了错误（文件名含“示例：含错误”）。")
    report = api.check([folder / "收回的表格"])
    render.report_table(report, console)
    annotated = api.annotate(report, folder / "退回修改", force=True)
    with_errors = [fr for fr in report.files if fr.findings]
    console.print(
        f"  批注副本 {len(annotated)} 个，位于 {escape(str(folder / '退回修改'))}"
        f"（其中 {len(with_errors)} 个有问题需要单位修改）"
    )
    render.emit(render.report_csv(report), folder / "校验结果.csv", force=True, bom=True)
    console.print(f"  全部问题清单：{escape(str(folder / '校验结果.csv'))}")


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
    console.print("\n[bold]第 5 步  汇总成一个工作簿，交上级部门[/bold]（xltools merge）")
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
    console.print("\n[bold]第 6 步  下一年度：由申报表预填自评表[/bold]（xltools prefill）")
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
