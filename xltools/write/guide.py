"""The 填表说明 sheet: how to fill each part, the 指标值 notation, what check verifies."""

from __future__ import annotations

from xltools.forms import Layout
from xltools.forms.wording import reword
from xltools.model import DECLARATION
from xltools.profiles import Profile

_NOTATION = (
    ("head", "三、指标值的写法"),
    (
        "body",
        "定量指标：运算符 + 数值 + 单位。运算符可用 >= ≥ > <= ≤ < =（全角、半角均可），"
        "单位可写在括号内或直接跟在数字后。",
    ),
    ("body", "示例：>=80%　≥10000.00(人)　=100%　<=90分钟　<10次　=12个月　=6000"),
    (
        "body",
        "不写运算符（如 100%）视为“=”。定性指标直接写文字，如：及时、健全、有正面报道、按文件规定。",
    ),
    (
        "body",
        "自评表的实际完成值应与年度指标值使用相同单位（% 对 %，次 对 次），否则无法计算得分。",
    ),
)


def _framework_lines(profile: Profile) -> list[tuple[str, str]]:
    lines = [("head", "四、一级指标与二级指标（下拉列表）")]
    for level1, level2s in profile.framework().items():
        lines.append(("body", f"{level1}：{'、'.join(level2s)}"))
    lines.append(("body", "二级指标的下拉列表随同一行的一级指标变化，因此每一行都请填写一级指标。"))
    return lines


def _declaration_parts() -> list[tuple[str, str]]:
    return [
        ("head", "二、各部分填写方法"),
        (
            "body",
            "1. 基本信息：项目名称、主管部门、实施单位须填写全称；计划开始、完成日期用日期格式（如 2025-01-01）。",
        ),
        (
            "body",
            "2. 项目资金：金额只填数字，单位以“项目资金”标签中的（元）或（万元）为准。"
            "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金；项目资金总额 = 财政资金 + 其他资金。",
        ),
        (
            "body",
            "3. 项目绩效目标：项目总目标写整个实施期的目标，年度总目标写本年度目标，与绩效指标相对应。",
        ),
        (
            "body",
            "4. 绩效指标：每行一个三级指标，依次选择一级、二级指标，填写三级指标名称和指标目标值。"
            "行数不够时可插入行（工作表保护允许插入、删除行）。",
        ),
    ]


def _self_evaluation_parts(profile: Profile) -> list[tuple[str, str]]:
    w = profile.section("weights")
    rounding = {"half-up": "四舍五入", "truncate": "截尾（舍去）", "ceil": "进一"}[profile.rounding]
    bands = "，".join(f"{name} ≥ {floor:g}" for name, floor in profile.grades)
    return [
        ("head", "二、各部分填写方法"),
        ("body", "1. 基本信息：项目名称、主管部门、实施单位与申报表一致。"),
        (
            "body",
            "2. 项目资金：填写年初预算数、全年预算数、全年执行数（只填数字）。"
            f"执行率 = 全年执行数 ÷ 全年预算数，执行率得分 = min(执行率, 100%) × 分值，"
            f"均由公式自动计算，按{rounding}保留两位小数。",
        ),
        ("body", "3. 年度总体目标：预期目标照抄申报表的年度总目标，实际完成情况写实际达到的效果。"),
        (
            "body",
            f"4. 绩效指标：照抄申报表的指标及年度指标值，填写实际完成值、分值、得分。"
            f"分值参考：产出 {w['产出指标']:g} 分、效益 {w['效益指标']:g} 分、满意度 {w['满意度指标']:g} 分，"
            f"预算执行率 {w['funds']:g} 分，合计 100 分。得分低于分值时须填写偏差原因分析及改进措施。",
        ),
        (
            "body",
            "5. 定性指标的实际完成值可写：达成指标（得分为分值的 80%–100%）、"
            "部分达成指标并具有一定效果（60%–80%）、未达成指标且效果较差（0–60%）。",
        ),
        ("body", f"6. 总分与评分等级由公式自动计算：{bands}，其余为差。"),
    ]


def _checks(kind: str) -> list[tuple[str, str]]:
    common = [
        ("head", "五、xltools check 会检查什么"),
        (
            "body",
            "必填项是否填写；金额、分值、得分是否为数字（“2000万”“约100”这类文字会被指出，不会当作 0）。",
        ),
        (
            "body",
            "一级、二级指标是否属于规定的指标体系；三级指标和指标值是否填写；同一项目内三级指标是否重复。",
        ),
    ]
    if kind == DECLARATION:
        return common + [
            ("body", "日期能否识别、开始日期不晚于完成日期、是否在申报年度内。"),
            (
                "body",
                "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金；项目资金总额 = 财政资金 + 其他资金。",
            ),
            ("body", "指标目标值的写法能否识别；产出、效益、满意度指标是否齐全。"),
        ]
    return common + [
        (
            "body",
            "执行率、执行率得分、总分、评分等级与表内数字是否一致（容差 0.01，四舍五入或截尾均可）。",
        ),
        ("body", "指标分值合计加预算执行率分值是否为 100；每行得分是否在 0 到分值之间。"),
        ("body", "得分低于分值时是否写了偏差原因；定量指标的得分是否与按完成比例计算的得分一致。"),
        (
            "body",
            "定性完成情况（达成指标等）的得分是否在对应区间内；实际值远超目标值时是否说明了原因。",
        ),
    ]


def guide_lines(layout: Layout, profile: Profile) -> list[tuple[str, str]]:
    """(style, text) lines of the 填表说明 sheet for one form."""
    lines: list[tuple[str, str]] = [
        ("title", f"{layout.title} 填表说明"),
        ("head", "一、总体要求"),
        ("body", "灰底单元格为标签，白底单元格为填写区，绿底单元格为公式（自动计算，不能修改）。"),
        (
            "body",
            "工作表已保护（无密码）：只能在填写区输入；可以插入、删除指标行，可以调整格式。"
            "如需取消保护：审阅 → 撤销工作表保护。",
        ),
        ("body", "选中填写区单元格时会显示填写提示；输入不符合要求的内容时会弹出提醒。"),
    ]
    if layout.kind == DECLARATION:
        lines += _declaration_parts()
    else:
        lines += _self_evaluation_parts(profile)
    lines += list(_NOTATION) + _framework_lines(profile) + _checks(layout.kind)
    word = profile.weight_word  # 四川 calls the points 权重 (forms/wording.py)
    return [(style, reword(text, word)) for style, text in lines]
