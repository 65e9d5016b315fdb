"""The ``xltools`` command line: thin click commands over :mod:`xltools.api`.

Imports of the heavy parts (xlsxwriter, calamine, rich) happen inside the commands,
so ``xltools --help`` starts at once and never imports pandas.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from xltools import __version__
from xltools.errors import UserError

_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
_CLICK_ERRORS = (  # click's own English messages → what a clerk reads
    ("No such option", "没有这个选项"),
    ("No such command", "没有这个命令"),
    ("Missing argument", "缺少参数"),
    ("Missing option", "缺少选项"),
    ("Invalid value for", "参数值无效："),
    ("requires an argument", "需要一个值"),
    ("is not one of", "不是以下之一"),
    ("is not a valid integer", "不是有效的整数"),
    ("Got unexpected extra argument", "多余的参数"),
    ("Got unexpected extra arguments", "多余的参数"),
    ("does not exist", "不存在"),
    ("Did you mean", "您是否想输入"),
    ("File", "文件"),
    ("Path", "路径"),
)


class ChineseFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


class Command(click.Command):
    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    context_class = ChineseContext
    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


def _translate(message: str) -> str:
    for english, chinese in _CLICK_ERRORS:
        message = message.replace(english, chinese)
    return message


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
      6. xltools rules     列出全部校验规则；
      7. xltools demo      用自带的示例数据走一遍全过程。

    \b
    示例：
      xltools template 申报表 -o 申报表.xlsx --year 2025
      xltools check 收回的表格/ --annotate 退回修改/
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
    metavar="文件",
    help="规则配置文件（TOML），覆盖默认配置的任意部分。",
)
FORCE = click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")


def _positive(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("进程数应为 1 或更大的整数")
    return value


JOBS = click.option(
    "-j",
    "--jobs",
    type=int,
    callback=lambda _ctx, _param, value: _positive(value),
    metavar="N",
    help="同时读取、检查文件的进程数（默认每个 CPU 一个；文件少于 200 个时只用一个）。",
)
_KIND = click.Choice(["申报表", "自评表", "declaration", "self-evaluation"])


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
    type=click.IntRange(2000, 2100),
    metavar="年份",
    help="年度。默认：申报表为明年，自评表为去年。",
)
@click.option("--department", "department", metavar="名称", help="主管部门（预先填好）。")
@click.option("--unit", "unit", metavar="名称", help="实施单位（预先填好）。")
@click.option(
    "--money-unit", type=click.Choice(["元", "万元"]), default="元", help="金额单位，默认 元。"
)
@click.option(
    "--rows",
    type=click.IntRange(1, 500),
    default=20,
    metavar="行数",
    help="空白指标行数，默认 20。",
)
@click.option(
    "--variant",
    type=click.Choice(["2022", "2025"]),
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
    type=click.Choice(["json", "csv"]),
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
@FORCE
@click.option(
    "--profile", type=click.Path(path_type=Path), metavar="文件", help="规则配置文件（TOML）。"
)
@_help
def read(
    paths: tuple[Path, ...], fmt: str, output: Path | None, force: bool, profile: Path | None
) -> None:
    """把填好的申报表、自评表读成数据：每张表一条记录。

    金额转为数字，日期转为 2025-01-01 格式，一级/二级指标向下补齐。
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
    text = render.records_json(results) if fmt == "json" else render.records_csv(results)
    inputs = [Path(r.file) for r in results]
    render.emit(text, output, force=force, bom=fmt == "csv", inputs=inputs)
    _render_findings([f for r in results for f in r.findings])
    if not all(r.readable for r in results):
        sys.exit(3)
    if any(f.severity == "错误" for r in results for f in r.findings):
        sys.exit(1)


@cli.command()
@PATHS
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
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
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
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
      xltools check 自评表.xlsx --format json -o 结果.json
      xltools check 收回的表格/ --ignore S07 --profile 我的配置.toml
      xltools check 自评表/ --declarations 申报表/
    """
    from xltools import api

    report = api.check(
        paths,
        profile=profile,
        select=_split(select),
        ignore=_split(ignore),
        progress=fmt == "table" and output is None,
        declarations=list(declarations) if declarations else None,
        jobs=jobs or 0,  # 0: workers.AUTO, one per CPU
    )
    _show_report(report, fmt, output, force)
    if annotate_dir is not None:
        written = api.annotate(
            report,
            annotate_dir,
            force=force,
            skipped=lambda file, why: click.echo(f"{file}：{why}", err=True),
        )
        click.echo(f"已生成 {len(written)} 个批注副本，位于：{annotate_dir}", err=fmt != "table")
    sys.exit(report.exit_code(strict))


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _show_report(report: Any, fmt: str, output: Path | None, force: bool) -> None:
    from xltools import render

    if fmt == "table":
        from rich.console import Console

        render.report_table(report, Console())
        return
    text = render.report_json(report) if fmt == "json" else render.report_csv(report)
    inputs = [Path(fr.file) for fr in report.files]
    render.emit(text, output, force=force, bom=fmt == "csv", inputs=inputs)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown"]),
    default="table",
    help="输出格式：table（默认）或 markdown（即 docs/rules.md）。",
)
@click.option(
    "--profile", type=click.Path(path_type=Path), metavar="文件", help="按此规则配置显示严重程度。"
)
@_help
def rules(fmt: str, profile: Path | None) -> None:
    """列出全部校验规则：编号、严重程度、内容。

    \b
    示例：
      xltools rules
      xltools rules --format markdown > docs/rules.md
    """
    from xltools import catalogue
    from xltools.profiles import load_profile

    if fmt == "markdown":
        click.echo(catalogue.markdown(), nl=False)
        return
    overrides = load_profile(profile).data.get("severity", {})
    for rule in catalogue.CATALOGUE:
        text = f"{rule.title}。{rule.detail}" if rule.detail else rule.title
        click.echo(f"{rule.id}  {overrides.get(rule.id, rule.severity)}  {text}")


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
    type=click.Choice(["元", "万元"]),
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
    有错误的文件默认不汇总（M04）。

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
    plan = api.merge(
        paths,
        output,
        title=title,
        money_unit=money_unit,
        include_invalid=include_invalid,
        force=force,
        profile=profile,
        jobs=jobs or 0,  # 0: workers.AUTO, one per CPU
        progress=True,
    )
    files = sum(s.included for s in plan.sources)
    click.echo(f"已汇总 {len(plan.entries)} 个项目（来自 {files} 个文件）：{output}")
    click.echo(f"标题：{plan.title}；金额单位：{plan.money_unit}")
    for source in plan.left_out:
        click.echo(f"未汇总：{source.file}（{source.reason}）", err=True)
    merge_findings = [f for f in plan.findings if f.rule.startswith("M")]
    for f in merge_findings:
        click.echo(f.line(), err=True)
    if plan.report.unreadable:
        sys.exit(3)
    if any(f.rule in ("M01", "M04") for f in merge_findings):
        sys.exit(1)


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
    type=click.IntRange(1, 500),
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
    if result.unreadable:
        sys.exit(3)
    if not result.written:
        sys.exit(1)


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
    import signal

    with contextlib.suppress(ValueError):  # not in the main thread (embedded use)
        signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(args=argv, prog_name="xltools", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        hint = f"（运行 xltools {exc.ctx.info_name if exc.ctx and exc.ctx.parent else ''} --help 查看用法）"
        click.echo(
            f"用法错误：{_translate(exc.format_message())}{hint.replace('  ', ' ')}", err=True
        )
        sys.exit(2)
    except UserError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except OSError as exc:
        click.echo(f"错误：{_os_error(exc)}", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug of ours: one line for the clerk, the details on request
        if os.environ.get("XLTOOLS_DEBUG"):
            raise
        cause = _full_disk(exc)
        if cause is not None:
            click.echo(f"错误：{_os_error(cause)}", err=True)
            sys.exit(2)
        click.echo(
            f"内部错误：{type(exc).__name__}: {exc}。请把这条信息和所用文件发给维护人员"
            "（设置环境变量 XLTOOLS_DEBUG=1 可查看详细信息）。",
            err=True,
        )
        sys.exit(4)


if __name__ == "__main__":
    main()
