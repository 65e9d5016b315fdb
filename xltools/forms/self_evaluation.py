"""财政项目支出绩效自评表 (self-evaluation), declared once.

The funds block is a grid: rows 年度资金总额 / 当年财政拨款 / 上年结转资金 / 其他资金
against columns 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分 (seed 004).
执行率, 执行率得分, 总分 and 评分等级 are live formulas; ``{ROUND}`` becomes ROUND or
ROUNDDOWN after the profile's rounding mode, ``{GRADE:x}`` the profile's grade bands.
"""

from __future__ import annotations

from xltools.forms.base import LEVEL_COLUMNS, Column, Field, Footer, Layout, T
from xltools.model import SELF_EVALUATION

TITLE = "财政项目支出绩效自评表"

_ROWS = (  # (record key, label, aliases, sheet row)
    ("total", "年度资金总额", ("资金总额",), 6),
    ("current_appropriation", "其中：当年财政拨款", ("当年财政拨款",), 7),
    ("carryover", "上年结转资金", (), 8),
    ("other", "其他资金", (), 9),
)
_AMOUNT_COLS = (("initial_budget", "D"), ("adjusted_budget", "E"), ("executed", "F"))
_AMOUNT_PROMPTS = {
    "initial_budget": "年初预算批复数（数字）。",
    "adjusted_budget": "年中调整后的全年预算数（数字）；执行率以此为分母。",
    "executed": "全年实际支出数（数字）。",
}
_P = "{funds.total."  # shorthand for the total row's placeholders

RATE_FORMULA = (
    f"=IF(AND(ISNUMBER({_P}adjusted_budget}}),{_P}adjusted_budget}}>0,"
    f'ISNUMBER({_P}executed}})),{{ROUND}}({_P}executed}}/{_P}adjusted_budget}},4),"")'
)
SCORE_FORMULA = (
    f"=IF(ISNUMBER({_P}execution_rate}}),"
    f'{{ROUND}}(MIN({_P}execution_rate}},1)*N({_P}weight}}),2),"")'
)


def _funds_fields() -> tuple[Field, ...]:
    out: list[Field] = []
    for key, label, aliases, row in _ROWS:
        for col_key, col in _AMOUNT_COLS:
            out.append(
                Field(
                    f"funds.{key}.{col_key}",
                    label,
                    T.MONEY,
                    f"B{row}:C{row}",
                    f"{col}{row}",
                    aliases=aliases,
                    prompt=_AMOUNT_PROMPTS[col_key],
                    required=key == "total" and col_key == "adjusted_budget",
                )
            )
    out += [
        Field(
            "funds.total.weight",
            "年度资金总额",
            T.WEIGHT,
            "B6:C6",
            "G6",
            default=10,
            aliases=("资金总额",),
            prompt="预算执行率的分值，一般为 10 分。",
        ),
        Field(
            "funds.total.execution_rate",
            "年度资金总额",
            T.RATE,
            "B6:C6",
            "H6",
            aliases=("资金总额",),
            formula=RATE_FORMULA,
        ),
        Field(
            "funds.total.score",
            "年度资金总额",
            T.SCORE,
            "B6:C6",
            "I6",
            aliases=("资金总额",),
            formula=SCORE_FORMULA,
        ),
    ]
    return tuple(out)


FIELDS = (
    Field(
        "project_name",
        "项目名称",
        T.TEXT,
        "A3",
        "B3:I3",
        required=True,
        prompt="填写预算批复中的项目全称，与申报表一致。",
    ),
    Field(
        "department", "主管部门", T.TEXT, "A4", "B4:D4", required=True, prompt="填写主管部门全称。"
    ),
    Field(
        "implementing_unit",
        "实施单位",
        T.TEXT,
        "E4",
        "F4:I4",
        required=True,
        prompt="填写项目实施单位全称。",
    ),
    *_funds_fields(),
    Field(
        "expected_goal",
        "预期目标",
        T.LONG_TEXT,
        "B10:E10",
        "B11:E11",
        aliases=("预算目标",),
        prompt="申报时的年度总体目标。",
    ),
    Field(
        "actual_result",
        "实际完成情况",
        T.LONG_TEXT,
        "F10:I10",
        "F11:I11",
        prompt="对照预期目标写明实际完成情况。",
    ),
)

COLUMNS = (
    *LEVEL_COLUMNS,
    Column(
        "name",
        "三级指标",
        "D",
        T.TEXT,
        required=True,
        unique=True,
        prompt="与申报表中的三级指标一致。",
    ),
    Column(
        "target",
        "年度指标值",
        "E",
        T.TEXT,
        required=True,
        aliases=("指标目标值", "年度(/项目)指标值", "指标值"),
        prompt="照抄申报表批复的指标目标值，如 >=95%、≤2(小时)。",
    ),
    Column(
        "actual",
        "实际完成值",
        "F",
        T.TEXT,
        prompt="实际达到的值，单位与年度指标值一致，如 100%、12次；定性指标填“达成指标”等。",
    ),
    Column(
        "weight",
        "分值",
        "G",
        T.WEIGHT,
        aliases=("分数",),
        prompt="本指标的分值；全部指标分值与预算执行率分值合计应为 100。",
    ),
    Column("score", "得分", "H", T.SCORE, prompt="0 到分值之间；低于分值须填写偏差原因。"),
    Column(
        "deviation_reason",
        "偏差原因分析及改进措施",
        "I",
        T.LONG_TEXT,
        aliases=("偏差原因分析及改进措施", "偏差原因"),
        prompt="得分低于分值、或实际值远超目标值时必填。",
    ),
)

FOOTERS = (
    # Cells in footer fields use row 1 for "the footer's own row".
    Footer(
        1,
        "总分",
        "A:F",
        (
            Field(
                "_total_weight",
                "总分",
                T.WEIGHT,
                "A1:F1",
                "G1",
                formula="=N({funds.total.weight})+SUM({col:weight})",
            ),
            Field(
                "total_score",
                "总分",
                T.SCORE,
                "A1:F1",
                "H1",
                required=True,
                formula='=IF(COUNT({funds.total.score},{col:score})=0,"",'
                "N({funds.total.score})+SUM({col:score}))",
            ),
        ),
    ),
    Footer(
        2,
        "评分等级",
        "A:F",
        (
            Field(
                "grade",
                "评分等级",
                T.GRADE,
                "A1:F1",
                "H1",
                formula='=IF(ISNUMBER({total_score}),{GRADE:{total_score}},"")',
            ),
        ),
    ),
)

LAYOUT = Layout(
    kind=SELF_EVALUATION,
    version="2022",
    sheet_name="自评表",
    title=TITLE,
    widths={"A": 10, "B": 11, "C": 13, "D": 22, "E": 12, "F": 13, "G": 8, "H": 9, "I": 24},
    fields=FIELDS,
    statics=(
        ("A5:A9", "项目资金\n（{unit}）"),
        ("B5:C5", ""),
        ("D5", "年初预算数"),
        ("E5", "全年预算数"),
        ("F5", "全年执行数"),
        ("G5", "分值"),
        ("H5", "执行率"),
        ("I5", "得分"),
        ("G7", "—"),
        ("G8", "—"),
        ("G9", "—"),
        ("H7:H9", ""),  # 执行率 and 得分 are scored on the total row only
        ("I7:I9", ""),
        ("A10:A11", "年度总体目标"),
    ),
    table_block="绩效指标",
    header_row=12,
    columns=COLUMNS,
    footers=FOOTERS,
    tall_rows={11: 90},
    grid_columns={
        "initial_budget": ("年初预算数", "年初预算"),
        "adjusted_budget": ("全年预算数", "全年预算", "预算数", "调整后预算数"),
        "executed": ("全年执行数", "全年执行", "执行数", "实际执行数"),
        "weight": ("分值", "分数"),
        "execution_rate": ("执行率", "执行率(%)", "预算执行率"),
        "score": ("得分",),
    },
)
