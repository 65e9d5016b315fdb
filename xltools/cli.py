"""The ``xltools`` command line: thin click commands over :mod:`xltools.api`.

Imports of the heavy parts (xlsxwriter, calamine, rich) happen inside the commands,
so ``xltools --help`` starts at once and never imports pandas.
"""

from __future__ import annotations

import contextlib
import gettext
import os
import sys
from pathlib import Path
from typing import Any

import click

from xltools import __version__
from xltools.errors import UserError
from xltools.exits import INTERNAL, INTERRUPTED, USAGE, exit_code
from xltools.i18n import Choice, Integer, IntRange, chinese_click, usage_message


class ChineseFormatter(click.HelpFormatter):
    """click's help layout with full-width colons; the words come from the catalogue."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix=gettext.gettext("Usage:"))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


class _ChineseMain:
    def main(self, *args: Any, **kwargs: Any) -> Any:
        with chinese_click():  # also under CliRunner, which calls this directly
            return super().main(*args, **kwargs)  # type: ignore[misc]


class Command(_ChineseMain, click.Command):
    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(_ChineseMain, click.Group):
    context_class = ChineseContext
    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


def _help(f: Any) -> Any:
    return click.help_option("-h", "--help", help="显示本帮助并退出。")(f)


def _render_findings(findings: list[Any]) -> None:
    for f in findings:
        click.echo(f.line(), err=True)


@click.group(cls=Group, context_settings={"max_content_width": 100})
@click.version_option(
    __version__, "-V", "--version", message="xltools %(version)s", help="显示版本并退出。"
)
@_help
def cli() -> None:
    """xltools：财政项目支出绩效目标申报表、自评表的模板、读取、校验与汇总。

    \b
    财务部门的一轮工作：
      1. xltools template  生成空白模板，发给各单位填写；
      2. xltools check     逐项检查收回的表格，生成批注副本退回修改；
      3. xltools merge     把所有项目汇总成一个工作簿，交上级部门；
      4. xltools prefill   由申报表生成预填的自评表（指标、指标值、建议分值）；
      5. xltools read      把收回的表格读成数据（JSON/CSV）；
      6. xltools rules     列出全部校验规则，或逐条说明（如 xltools rules S10）；
      7. xltools demo      用自带的示例数据走一遍全过程。

    \b
    示例：
      xltools template 申报表 -o 申报表.xlsx --year 2025
      xltools check 收回的表格/ --annotate 退回修改/
      xltools check 收回的表格/ --notices 退回修改通知/
      xltools fix 收回的表格/ -o 改正后/
      xltools merge 收回的表格/ -o 汇总.xlsx
      xltools read 收回的表格/ > 项目.json
      xltools demo
    """


PATHS = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件或文件夹..."
)
PROFILE = click.option(
    "--profile",
    type=click.Path(path_type=Path),
    metavar="名称或文件",
    help="规则配置：内置配置的名称（如 上海市级，见 xltools profiles）或 TOML 文件。",
)
FORCE = click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")


def _positive(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("进程数应为 1 或更大的整数")
    return value


JOBS = click.option(
    "-j",
    "--jobs",
    type=Integer(),
    callback=lambda _ctx, _param, value: _positive(value),
    metavar="N",
    help="同时读取、检查文件的进程数（默认：3 个及以上 CPU 时每个 CPU 一个，否则一个；文件少于 500 个时只用一个）。",
)
_KIND = Choice(["申报表", "自评表", "declaration", "self-evaluation"])


@cli.command()
@click.argument("kind", type=_KIND, metavar="申报表|自评表")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    metavar="文件",
    help="输出的 .xlsx 文件（必填）；与 --from 同用时为输出文件夹。",
)
@click.option(
    "--year",
    type=IntRange(2000, 2100),
    metavar="年份",
    help="年度。默认：申报表为明年，自评表为去年。",
)
@click.option("--department", "department", metavar="名称", help="主管部门（预先填好）。")
@click.option("--unit", "unit", metavar="名称", help="实施单位（预先填好）。")
@click.option("--money-unit", type=Choice(["元", "万元"]), default="元", help="金额单位，默认 元。")
@click.option(
    "--rows",
    type=IntRange(1, 500),
    default=20,
    metavar="行数",
    help="空白指标行数，默认 20。",
)
@click.option(
    "--variant",
    type=Choice(["2022", "2025"]),
    help="申报表版式：2022 只有项目类别；2025 有项目性质和项目类别。默认按年度选择。",
)
@click.option(
    "--profile", type=click.Path(path_type=Path), metavar="文件", help="规则配置文件（TOML）。"
)
@click.option(
    "--from",
    "from_list",
    type=click.Path(path_type=Path),
    metavar="清单",
    help="项目清单（.xlsx 或 .csv，含项目名称、主管部门、实施单位等列），每个项目生成一份模板。",
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@_help
def template(
    kind: str,
    output: Path | None,
    year: int | None,
    department: str | None,
    unit: str | None,
    money_unit: str,
    rows: int,
    variant: str | None,
    profile: Path | None,
    from_list: Path | None,
    force: bool,
) -> None:
    """生成空白模板：与正式表样一致，带下拉列表、数据验证、公式和打印设置。

    \b
    示例：
      xltools template 申报表 -o 申报表.xlsx --year 2026 --department 上海市长宁区医疗保障局
      xltools template 自评表 -o 自评表.xlsx --year 2025 --money-unit 万元
      xltools template 申报表 --from 项目清单.xlsx -o 发放/
    """
    from xltools import api
    from xltools.profiles import load_profile

    if output is None:
        raise click.UsageError("缺少输出位置：请用 -o 指定输出文件（或与 --from 同用时的文件夹）")
    options = {
        "year": year,
        "department": department,
        "unit": unit,
        "money_unit": money_unit,
        "rows": rows,
        "profile": load_profile(profile),
        "variant": variant,
        "force": force,
    }
    if from_list is None:
        path = api.write_template(output, kind, **options)
        click.echo(f"已生成模板：{path}")
        return
    result = api.write_templates_from_list(from_list, output, kind, **options)
    for line in result.problems:
        click.echo(f"注意：{line}", err=True)
    click.echo(f"已按项目清单生成 {len(result.written)} 份模板，位于：{output}")


@cli.command()
@PATHS
@click.option(
    "--format",
    "fmt",
    type=Choice(["json", "csv"]),
    default="json",
    help="输出格式，默认 json。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="文件",
    help="写入文件（默认输出到屏幕）。",
)
@click.option(
    "--keys",
    is_flag=True,
    help="CSV 表头用英文键名（与 JSON 相同，供程序使用）；默认为中文表头，见 docs/glossary.md。",
)
@FORCE
@click.option(
    "--profile", type=click.Path(path_type=Path), metavar="文件", help="规则配置文件（TOML）。"
)
@_help
def read(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    keys: bool,
    force: bool,
    profile: Path | None,
) -> None:
    """把填好的申报表、自评表读成数据：每张表一条记录。

    金额转为数字，日期转为 2025-01-01 格式，一级/二级指标向下补齐。
    JSON 用英文键名；CSV 每个指标一行，表头为中文（项目名称、年度资金申请总额……），可直接做数据透视表。
    读取中遇到的问题逐条写到屏幕（标准错误），注明文件和单元格。

    \b
    退出码：0 全部读取；1 有单元格无法读取；3 有文件无法打开或不含表单。

    \b
    示例：
      xltools read 收回的表格/
      xltools read 申报表_信息系统维护经费.xlsx --format csv -o 项目.csv
    """
    from xltools import api, render
    from xltools.profiles import load_profile

    results = api.read(paths, load_profile(profile))
    text = render.records_json(results) if fmt == "json" else render.records_csv(results, keys)
    inputs = [Path(r.file) for r in results]
    render.emit(text, output, force=force, bom=fmt == "csv", inputs=inputs)
    _render_findings([f for r in results for f in r.findings])
    sys.exit(exit_code(results))


@cli.command()
@PATHS
@click.option(
    "--format",
    "fmt",
    type=Choice(["table", "json", "csv"]),
    default="table",
    help="输出格式：table（表格，默认）、json、csv。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="文件",
    help="把 json/csv 结果写入文件（默认输出到屏幕）。",
)
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(path_type=Path),
    metavar="文件夹",
    help="为每个文件生成批注副本（问题单元格标红/黄并附批注，首页为校验结果），写到此文件夹。",
)
@click.option(
    "--notices",
    "notices_dir",
    type=click.Path(path_type=Path),
    metavar="文件夹",
    help="为每个有问题的实施单位生成一份退回修改通知（Word 文档，可直接打印），写到此文件夹。",
)
@click.option(
    "--select",
    metavar="编号",
    multiple=True,
    help="只检查这些规则（按前缀，如 S 或 D06；可重复或用逗号分隔）。",
)
@click.option(
    "--ignore",
    metavar="编号",
    multiple=True,
    help="忽略这些规则（按前缀，如 S07；可重复或用逗号分隔）。",
)
@click.option("--strict", is_flag=True, help="有警告时也以退出码 1 结束。")
@click.option(
    "--summary",
    is_flag=True,
    help="只显示按实施单位的汇总（文件、项目、错误、警告数），不逐条列出问题；适合大批文件。",
)
@click.option(
    "--declarations",
    metavar="文件或文件夹",
    multiple=True,
    type=click.Path(path_type=Path),
    help="批复的申报表（可重复）：核对自评表的指标、指标值和年初预算数是否与申报表一致（X01–X05）。",
)
@PROFILE
@JOBS
@FORCE
@_help
def check(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    annotate_dir: Path | None,
    notices_dir: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    summary: bool,
    declarations: tuple[Path, ...],
    profile: Path | None,
    jobs: int | None,
    force: bool,
) -> None:
    """逐项检查收回的申报表、自评表，用中文指出每个问题所在的单元格。

    规则见 xltools rules。一个文件打不开时记为 R01，其余文件照常检查。

    \b
    退出码：0 没有错误；1 有错误（加 --strict 时警告也算）；2 用法错误；3 有文件无法打开。

    \b
    示例：
      xltools check 收回的表格/
      xltools check 收回的表格/ --annotate 退回修改/
      xltools check 收回的表格/ --notices 退回修改通知/
      xltools check 全区收回的表格/ --summary
      xltools check 自评表.xlsx --format json -o 结果.json
      xltools check 收回的表格/ --ignore S07 --profile 我的配置.toml
      xltools check 自评表/ --declarations 申报表/
    """
    from xltools import api
    from xltools.terminal import TerminalProgress

    with TerminalProgress(show=fmt == "table" and output is None) as bar:
        report = api.check(
            paths,
            profile=profile,
            select=_split(select),
            ignore=_split(ignore),
            progress=bar,
            declarations=list(declarations) if declarations else None,
            jobs=jobs or 0,  # 0: workers.AUTO, one per CPU
        )
    _show_report(report, fmt, output, force, summary)
    if annotate_dir is not None:
        notes: list[str] = []
        written = api.annotate(
            report,
            annotate_dir,
            force=force,
            notes=notes,
            skipped=lambda file, why: click.echo(f"{file}：{why}", err=True),
        )
        click.echo(f"已生成 {len(written)} 个批注副本，位于：{annotate_dir}", err=fmt != "table")
        for note in notes:
            click.echo(f"  {note}", err=fmt != "table")
    if notices_dir is not None:
        notices = api.write_notices(report, notices_dir, force=force)
        said = f"已生成 {len(notices)} 份退回修改通知，位于：{notices_dir}"
        click.echo(
            said if notices else "没有需要退回修改的文件，未生成退回修改通知", err=fmt != "table"
        )
    sys.exit(exit_code(report, strict))


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _show_report(report: Any, fmt: str, output: Path | None, force: bool, summary: bool) -> None:
    from xltools import render

    if fmt == "table":
        from rich.console import Console

        render.report_table(report, Console(), summary_only=summary)
        return
    if fmt == "json":
        text = render.report_json(report, summary_only=summary)
    else:
        text = render.units_csv(report) if summary else render.report_csv(report)
    inputs = [Path(fr.file) for fr in report.files]
    render.emit(text, output, force=force, bom=fmt == "csv", inputs=inputs)


@cli.command()
@click.argument("ids", nargs=-1, metavar="[编号]...")
@click.option(
    "--format",
    "fmt",
    type=Choice(["table", "markdown"]),
    default="table",
    help="输出格式：table（默认）或 markdown（即 docs/rules.md）。",
)
@click.option(
    "--profile", type=click.Path(path_type=Path), metavar="文件", help="按此规则配置显示严重程度。"
)
@_help
def rules(ids: tuple[str, ...], fmt: str, profile: Path | None) -> None:
    """列出全部校验规则：编号、严重程度、范围、内容；给出编号时逐条说明，附出错的例子和改法。

    \b
    示例：
      xltools rules
      xltools rules S10
      xltools rules D06 R04 M05
      xltools rules --format markdown > docs/rules.md
    """
    from xltools import catalogue
    from xltools.profiles import load_profile

    if fmt == "markdown":
        click.echo(catalogue.markdown(), nl=False)
        return
    overrides = {k.upper(): v for k, v in load_profile(profile).data.get("severity", {}).items()}
    if ids:
        _explain_rules(ids, overrides)
        return
    for rule in catalogue.CATALOGUE:
        text = f"{rule.title}。{rule.detail}" if rule.detail else rule.title
        click.echo(f"{rule.id}  {overrides.get(rule.id, rule.severity)}  {rule.scope_name}  {text}")


def _explain_rules(ids: tuple[str, ...], overrides: dict[str, str]) -> None:
    from xltools.check.explain import explain, lookup

    found, unknown = lookup(ids)
    if unknown:
        raise UserError(
            f"没有编号为 {'、'.join(f'“{x}”' for x in unknown)} 的规则"
            "（运行 xltools rules 列出全部规则，编号如 D06、S10）"
        )
    for i, rule in enumerate(found):
        if i:
            click.echo()
        click.echo("\n".join(explain(rule, overrides.get(rule.id))))


@cli.command()
@PATHS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="文件",
    help="汇总工作簿（.xlsx，必填）。",
)
@click.option(
    "--title",
    metavar="标题",
    help="汇总表标题，默认按输入生成，如“上海市长宁区医疗保险事务中心 2025 年度项目绩效目标汇总表”。",
)
@click.option(
    "--money-unit",
    type=Choice(["元", "万元"]),
    help="汇总表的金额单位（默认取规则配置，一般为 元）；其他单位的金额自动换算。",
)
@click.option("--include-invalid", is_flag=True, help="有错误的文件也汇总（默认不汇总并列出）。")
@FORCE
@PROFILE
@JOBS
@_help
def merge(
    paths: tuple[Path, ...],
    output: Path | None,
    title: str | None,
    money_unit: str | None,
    include_invalid: bool,
    force: bool,
    profile: Path | None,
    jobs: int | None,
) -> None:
    """把各单位收回的表格汇总成一个工作簿，交上级部门。

    \b
    工作表：项目汇总（每个项目一行，含合计与按实施单位小计）、指标明细（每个指标一行，可做数据透视表）、
    汇总表（每个项目的正式表样，逐页打印）、图表、校验结果、来源（每个输入文件及其 SHA-256）。
    申报表与自评表、不同年度分别写入不同的工作表。同一项目出现在两个文件中时只汇总一次（M01）；
    两份内容不同时采用较新的一份，并写明采用了哪一份、为什么（M05）；有错误的文件默认不汇总（M04）。

    \b
    退出码：0 全部汇总；1 有文件或项目未汇总；2 用法错误；3 有文件无法打开（其余照常汇总）。

    \b
    示例：
      xltools merge 收回的表格/ -o 汇总.xlsx
      xltools merge 收回的表格/ -o 汇总.xlsx --money-unit 万元 --title "长宁区 2025 年度项目绩效目标汇总表"
      xltools merge 收回的表格/ -o 汇总.xlsx --include-invalid --force
    """
    from xltools import api

    if output is None:
        raise click.UsageError("缺少输出文件：请用 -o 指定汇总工作簿，如 -o 汇总.xlsx")
    from xltools.terminal import TerminalProgress

    with TerminalProgress() as bar:
        plan = api.merge(
            paths,
            output,
            title=title,
            money_unit=money_unit,
            include_invalid=include_invalid,
            force=force,
            profile=profile,
            jobs=jobs or 0,  # 0: workers.AUTO, one per CPU
            progress=bar,
        )
    files = sum(s.included for s in plan.sources)
    click.echo(f"已汇总 {len(plan.entries)} 个项目（来自 {files} 个文件）：{output}")
    click.echo(f"标题：{plan.title}；金额单位：{plan.money_unit}")
    for source in plan.left_out:
        click.echo(f"未汇总：{source.file}（{source.reason}）", err=True)
    merge_findings = [f for f in plan.findings if f.rule.startswith("M")]
    for f in merge_findings:
        click.echo(f.line(), err=True)
    sys.exit(exit_code(plan))


@cli.command()
@PATHS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="文件夹",
    help="输出文件夹（必填），每个项目一份自评表。",
)
@click.option(
    "--rows",
    type=IntRange(1, 500),
    default=20,
    metavar="行数",
    help="至少留出的指标行数，默认 20。",
)
@FORCE
@PROFILE
@_help
def prefill(
    paths: tuple[Path, ...], output: Path | None, rows: int, force: bool, profile: Path | None
) -> None:
    """由申报表生成预填的自评表：项目信息、全部指标及批复的指标值、年初预算数、建议分值。

    自评表的指标应为预算批复时确定的绩效指标（财预〔2020〕10号），预填可避免重新录入出错。
    分值按规则配置建议：产出 50、效益 30、满意度 10（各一级指标内平均分配，精确到 0.01），
    预算执行率 10，合计 100。实际完成值、得分和偏差原因留给单位填写。

    \b
    退出码：0 已生成；1 没有可预填的申报表；2 用法错误；3 有文件无法打开（其余照常预填）。

    \b
    示例：
      xltools prefill 申报表/ -o 自评表/
      xltools prefill 申报表_信息系统维护经费.xlsx -o 自评表/ --force
    """
    from xltools import api

    if output is None:
        raise click.UsageError("缺少输出文件夹：请用 -o 指定，如 -o 自评表/")
    result = api.prefill(paths, output, rows=rows, force=force, profile=profile)
    for line in result.problems:
        click.echo(f"注意：{line}", err=True)
    click.echo(f"已生成 {len(result.written)} 份预填的自评表，位于：{output}")
    sys.exit(exit_code(result))


@cli.command()
@click.argument(
    "folder",
    required=False,
    type=click.Path(path_type=Path),
    default=Path("xltools-示例"),
    metavar="[文件夹]",
)
@click.option("--force", is_flag=True, help="文件夹已存在时覆盖其中的示例文件。")
@_help
def demo(folder: Path, force: bool) -> None:
    """用自带的示例数据（真实表单）演示全过程，结果写到文件夹（默认 xltools-示例）。

    \b
    示例：
      xltools demo
      xltools demo 演示 --force
    """
    from xltools import demo as demo_module

    demo_module.run(folder, force=force)


def _os_error(exc: OSError) -> str:
    from xltools.files import FULL_DISK

    if exc.errno in FULL_DISK:
        return (
            f"磁盘空间不足，无法写入 {exc.filename or '输出文件'}。"
            "未写完的临时文件已删除，输入文件未受影响；请腾出空间后重试"
        )
    return f"无法读写文件 {exc.filename or ''}（{exc.strerror or exc}）"


def _full_disk(exc: BaseException) -> OSError | None:
    """xlsxwriter wraps the OSError of a full disk in its own FileCreateError."""
    while exc is not None:
        if isinstance(exc, OSError):
            return exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None


def _terminated(signum: int, frame: Any) -> None:
    """A kill (SIGTERM) unwinds like Ctrl+C, so temp files are removed on the way out."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point: turns every failure into a Chinese message and an exit code."""
    with chinese_click():  # click's messages are formatted when shown, below
        _main(argv)


def _main(argv: list[str] | None) -> None:
    import signal

    with contextlib.suppress(ValueError):  # not in the main thread (embedded use)
        signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(args=argv, prog_name="xltools", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(INTERRUPTED)
    except click.UsageError as exc:
        hint = f"（运行 xltools {exc.ctx.info_name if exc.ctx and exc.ctx.parent else ''} --help 查看用法）"
        click.echo(f"用法错误：{usage_message(exc)}{hint.replace('  ', ' ')}", err=True)
        sys.exit(USAGE)
    except UserError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(INTERRUPTED)
    except OSError as exc:
        click.echo(f"错误：{_os_error(exc)}", err=True)
        sys.exit(USAGE)
    except Exception as exc:  # a bug of ours: one line for the clerk, the details on request
        if os.environ.get("XLTOOLS_DEBUG"):
            raise
        cause = _full_disk(exc)
        if cause is not None:
            click.echo(f"错误：{_os_error(cause)}", err=True)
            sys.exit(USAGE)
        click.echo(
            f"内部错误：{type(exc).__name__}: {exc}。请把这条信息和所用文件发给维护人员"
            "（设置环境变量 XLTOOLS_DEBUG=1 可查看详细信息）。",
            err=True,
        )
        sys.exit(INTERNAL)


@cli.command()
@PATHS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="文件夹",
    help="输出文件夹（必填）：修改后的副本写到这里，文件名不变；原文件不会被修改。",
)
@FORCE
@PROFILE
@JOBS
@_help
def fix(
    paths: tuple[Path, ...],
    output: Path | None,
    force: bool,
    profile: Path | None,
    jobs: int | None,
) -> None:
    """生成修改后的副本：只改确定无误的地方，其余问题仍由单位修改。

    \b
    自动修改：
      执行率、执行率得分、总分、评分等级（按表内数据重新计算，规则 S02、S03、S13、S14；
      公式缺少计算结果时补上，R05）；以文本形式填写的数字（如“1,738.49”）改为数字，
      指标值中的全角数字、符号改为半角（R06）。
    每个副本末尾增加“修改记录”工作表（位置、原值、新值、规则），屏幕上也列出。
    .xls、.ods、.et 文件不能直接修改，只列出应修改之处。

    \b
    退出码：0 完成；2 用法错误；3 有文件无法打开或无法生成副本。

    \b
    示例：
      xltools fix 收回的表格/ -o 修改后/
      xltools fix 自评表_工作服专项经费.xlsx -o 修改后/ --force
    """
    from rich.console import Console

    from xltools import api

    if output is None:
        raise click.UsageError("缺少输出文件夹：请用 -o 指定，如 -o 修改后/")
    results = api.fix(paths, output, force=force, profile=profile, jobs=jobs or 0)
    console = Console()
    for result in results:
        _show_fixes(console, result)
    written = [r for r in results if r.output is not None]
    left = [f for r in results for f in r.remaining if f.severity in ("错误", "警告")]
    errors = sum(f.severity == "错误" for f in left)
    console.print(
        f"已生成 {len(written)} 个修改后的副本"
        + (f"，位于：{_escape(str(output))}" if written else "")
        + f"。仍需单位修改：错误 {errors} 条、警告 {len(left) - errors} 条（用 xltools check 查看）。"
    )
    sys.exit(exit_code(results))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _show_fixes(console: Any, result: Any) -> None:
    """One file's changes as a table; a line when there are none or no copy was written."""
    from rich.table import Table

    name = _escape(result.file)
    if not result.changes:
        console.print(f"{name}：{_escape(result.reason)}")
        return
    target = f" → {_escape(str(result.output))}" if result.output else ""
    table = Table(title=f"{name}{target}（修改 {len(result.changes)} 处）", title_justify="left")
    for column in ("位置", "原值", "新值", "规则", "说明"):
        table.add_column(column, overflow="fold")
    for c in result.changes:
        row = (c.location, c.shown(c.old), c.shown(c.new), c.rule, c.note)
        table.add_row(*map(_escape, row))
    console.print(table)
    if result.output is None:
        console.print(f"[bold]未生成副本[/]：{_escape(result.reason)}")


@cli.command()
@click.option(
    "--profile",
    type=click.Path(path_type=Path),
    metavar="文件",
    help="同时显示这个规则配置文件（TOML）的设置。",
)
@_help
def profiles(profile: Path | None) -> None:
    """列出内置的规则配置：名称、与“全国”不同的设置、依据。

    用 --profile 名称 选用，如 xltools check 收回的表格/ --profile 上海市级。
    自己的配置文件可写 extends = "上海市级"，在内置配置的基础上修改。
    选用哪个配置由您决定：表样显示所属地区时只作提示（D17、S26），不会自动改用。

    \b
    示例：
      xltools profiles
      xltools profiles --profile 我的配置.toml
      xltools check 自评表/ --profile 四川
    """
    from xltools.profiles import load_profile, named_profiles

    shown = named_profiles() + ([load_profile(profile)] if profile else [])
    for item in shown:
        about = item.data["about"]
        base = "（基于 " + "、".join(item.lineage[:-1]) + "）" if len(item.lineage) > 1 else ""
        click.echo(f"{item.name}{base}  {about['description']}")
        for line in item.sets() or ["（与全国相同：国家文件的默认做法）"]:
            click.echo(f"    设置：{line}")
        click.echo(f"    依据：{about['source']}")


@cli.command()
@click.option(
    "--port", type=IntRange(1, 65535), metavar="端口", help="端口（默认自动选一个空闲端口）。"
)
@click.option(
    "--host",
    default="127.0.0.1",
    metavar="地址",
    help="监听地址，默认 127.0.0.1（只允许本机访问）；改为其他地址时需要启动时显示的口令。",
)
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@_help
def serve(port: int | None, host: str, no_browser: bool) -> None:
    """在浏览器中完成一轮工作：模板、检查、汇总、预填、规则，不需要命令行。

    启动一个本机网页服务并打开浏览器。上传的文件只保存在临时文件夹中，
    点击“结束并清除文件”、长时间不用或停止服务后自动删除。按 Ctrl+C 停止。

    \b
    示例：
      xltools serve
      xltools serve --port 8080 --no-browser
      xltools serve --host 0.0.0.0 --port 8080
    """
    from xltools.web.server import serve as run

    run(host, port, open_browser=not no_browser, say=click.echo)


if __name__ == "__main__":
    main()
