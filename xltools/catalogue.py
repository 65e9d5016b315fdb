"""The rule catalogue: one entry per rule ID, the single source for code, CLI and docs.

IDs and default severities follow shared/spec/rules.md; a profile may change a
severity (``[severity] S07 = "提示"``). IDs are never reused. ``xltools rules`` and
docs/rules.md are generated from this table. Each entry also owns its scope (file,
record, indicator, batch), the modules that evaluate it (:data:`EVALUATED_BY`) and the
message templates of its findings (:data:`MESSAGES`); every finding is made by
:func:`xltools.findings.finding`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

ERROR, WARNING, INFO = "错误", "警告", "提示"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# What a finding of the rule is about: a file (read time), one form, one indicator row of a
# form, or the batch (a form against other files: X against the declarations, M across files).
FILE, RECORD, INDICATOR, BATCH = "file", "record", "indicator", "batch"
SCOPES = (FILE, RECORD, INDICATOR, BATCH)
# As ``xltools rules`` and docs/rules.md name them.
SCOPE_NAMES = {FILE: "整个文件", RECORD: "每张表", INDICATOR: "每个指标行", BATCH: "多个文件"}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str  # one line, Chinese
    detail: str = ""  # how it is computed, for the docs
    scope: str = ""  # FILE, RECORD, INDICATOR or BATCH (filled in from SCOPE below)
    # The modules that evaluate it; every finding is built by xltools.findings.finding.
    evaluated_by: tuple[str, ...] = ()
    # The finding's Chinese message for each case of the rule ("" when it has one),
    # str.format templates filled by the evaluating code (filled in from MESSAGES below).
    messages: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def message(self, case: str = "", **fields: object) -> str:
        return self.messages[case].format(**fields)

    @property
    def group(self) -> str:
        return GROUPS[self.id[0]]

    @property
    def scope_name(self) -> str:
        """What a finding of the rule is about, in Chinese (整个文件, 每张表 …)."""
        return SCOPE_NAMES[self.scope]


GROUPS = {
    "R": "读取（所有表格）",
    "D": "申报表",
    "S": "自评表",
    "X": "自评表对照申报表（check --declarations）",
    "M": "汇总（多个文件）",
}

_ENTRIES: tuple[Rule, ...] = (
    Rule("R01", ERROR, "文件无法打开：不是表格文件、已损坏、已加密或为空"),
    Rule("R02", ERROR, "工作簿中找不到申报表或自评表（没有表头或关键标签）"),
    Rule("R03", ERROR, "找不到必需的标签或区块（如“年度资金总额”行、指标表头）"),
    Rule("R04", ERROR, "应为数字的单元格中是文字（如“2000万”“约100”），不会当作 0 处理"),
    Rule(
        "R05",
        WARNING,
        "公式单元格没有计算结果（文件未在表格软件中保存过），使用 xltools 自行计算的值",
    ),
    Rule("R06", INFO, "以文本形式写的数字（如“1,738.49”）或全角数字、符号已按半角数字读取"),
    Rule("R07", WARNING, "未注明金额单位（项目资金标签中没有元或万元），按元处理"),
    Rule(
        "R08",
        WARNING,
        "工作表有表单的标签（项目名称、主管部门、一级指标等），但没有标题，也无法判断是申报表还是自评表：未读取",
    ),
    Rule(
        "R09",
        INFO,
        "工作表是同类的其他表单（如绩效监控表、部门整体支出绩效自评表），xltools 不读取",
    ),
    Rule("R10", INFO, "表单在隐藏的工作表中：已读取，请确认它应当上报"),
    Rule("R11", INFO, "表单没有标题：按其中的标签判断为申报表或自评表后读取"),
    Rule(
        "R12",
        WARNING,
        "自评表中有标准表之外的资金行（如财政专户管理资金、单位资金）且填有金额：未计入年度资金总额的核对",
    ),
    Rule(
        "R13",
        WARNING,
        "一级指标空白或与二级指标不符：按二级指标所属的一级指标（指标体系）读取",
        "表格顶部一级指标空白，或向下沿用的一级指标不是该二级指标唯一所属的一级指标时适用。",
    ),
    Rule(
        "R14",
        WARNING,
        "二级指标不在指标体系中（一级指标已知）：按填写的名称读取，请核对",
    ),
    Rule(
        "R15",
        INFO,
        "指标值是没有计算结果的公式（如“=100%”，由程序生成的文件）：按其文字读取",
    ),
    Rule(
        "R16",
        WARNING,
        "单元格是没有计算结果的公式（由程序生成、未在表格软件中保存过）：未读取，请打开并保存后再发送",
    ),
    Rule(
        "R17",
        WARNING,
        "自评表资金表头的列标签少于年度资金总额行的数值：按标准顺序（年初预算数、全年预算数、"
        "全年执行数、分值、执行率、得分）读取",
    ),
    Rule(
        "R20",
        ERROR,
        "文件或工作表超出读取上限，未读取：有内容的区域过大（如 XFD1048576 处有一个单元格）、"
        "解压后过大或压缩比异常（压缩炸弹）",
        "上限：100,000 行、1,000 列、从 A1 起 500,000 个单元格；每个部件解压后 64 MB、"
        "合计 256 MB；超过 1 MB 的部件压缩比不超过 200:1；.xls 在单独的进程中读取，限时 60 秒。"
        "只跳过超限的工作表，其余照常读取（.xls 整个文件不读）",
    ),
    Rule(
        "R21",
        ERROR,
        "不是普通文件，未读取：失效或循环的快捷方式（符号链接）、管道（FIFO）、设备",
    ),
    Rule("R22", WARNING, "单元格文字超过 Excel 的上限 32,767 字：只读取前 32,767 字"),
    Rule(
        "D01",
        ERROR,
        "必填项已填写：项目名称、主管部门、实施单位、计划开始日期、计划完成日期、"
        "年度资金申请总额、年度总目标，至少一个绩效指标",
    ),
    Rule("D02", WARNING, "建议填写：项目类别（或项目性质）、项目资金总额、项目总目标"),
    Rule(
        "D03",
        ERROR,
        "日期可识别（2025-01-01、2025/1/1、2025年1月1日 或 Excel 日期），且计划开始日期不晚于计划完成日期",
    ),
    Rule("D04", WARNING, "一年内完成的项目，计划日期应在申报年度内（标题“（2025年度）”）"),
    Rule("D05", ERROR, "金额为不小于 0 的数字"),
    Rule(
        "D06",
        ERROR,
        "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金",
        "空白按 0 计；三项都空白时不检查；容差 0.01。",
    ),
    Rule("D07", WARNING, "项目资金总额 = 财政资金 + 其他资金（左栏填写时）"),
    Rule("D08", WARNING, "年度资金申请总额不超过项目资金总额（两者都填写时）"),
    Rule(
        "D09",
        WARNING,
        "一年内完成的项目，左右两栏的“其他资金”应一致",
        "左栏“其他资金”等于右栏“其他资金”加“上年结转资金”（结转资金写在左栏其他资金中）时也视为一致。",
    ),
    Rule("D10", ERROR, "一级指标、二级指标的搭配属于规则配置中的指标体系"),
    Rule("D11", ERROR, "每个指标行都填写了三级指标和指标目标值"),
    Rule(
        "D12",
        WARNING,
        "指标目标值可识别：运算符 + 数值 + 单位（>=80%、≥10000.00(人)），或定性表述；"
        "数量指标的目标值不应是一句话",
    ),
    Rule(
        "D13", WARNING, "产出指标、效益指标、满意度指标各至少一个（仅用 2021 体系时还须有成本指标）"
    ),
    Rule("D14", WARNING, "同一项目中三级指标不重复"),
    Rule(
        "D15",
        WARNING,
        "同一张表不混用 2015 与 2021 两种指标体系（成本指标既作一级又作产出指标下的二级）",
    ),
    Rule(
        "D16",
        INFO,
        "定量指标的指标目标值过于笼统（如“按实”“按文件规定”“符合”），未细化量化",
        "财预〔2015〕88号要求绩效目标细化、量化。定量指标指数量指标、成本指标及名称以"
        "率、数、量、额、成本、费用、次等结尾的指标；笼统说法见规则配置 targets.vague。",
    ),
    Rule(
        "D17",
        INFO,
        "表样显示所属地区（报表编号、地区标题），可选用相应的内置规则配置（xltools profiles）",
        "只作提示，不会自动改用；已选用该配置（或在其基础上的配置）时不提示。",
    ),
    Rule(
        "S01",
        ERROR,
        "必填项已填写：项目名称、主管部门、实施单位、年度资金总额行、至少一个绩效指标、总分",
    ),
    Rule(
        "S02",
        ERROR,
        "执行率 = 全年执行数 ÷ 全年预算数",
        "写作 85.47%、85.47 或 0.8547 均可；容差 0.01 个百分点，另加金额只写到分（±0.005）带来的误差"
        "（如以万元填写的 61.53 ÷ 72.00，实际可能是 61.5326 ÷ 72，85.46% 印作 85.47% 不算错）。",
    ),
    Rule(
        "S03",
        ERROR,
        "执行率得分 = min(执行率, 100%) × 预算执行率分值",
        "分值取表内数值（默认 10）；容差 0.01 分。",
    ),
    Rule(
        "S04",
        WARNING,
        "年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金（年初预算数、全年预算数、全年执行数各列）",
    ),
    Rule("S05", WARNING, "执行率超过 100%"),
    Rule("S06", ERROR, "各指标分值之和 + 预算执行率分值 = 100"),
    Rule("S07", WARNING, "分值结构（规则配置）：产出 50、效益 30、满意度 10、预算执行率 10"),
    Rule("S08", ERROR, "每行得分在 0 与分值之间"),
    Rule(
        "S09",
        ERROR,
        "得分低于分值时，须填写偏差原因分析及改进措施",
        "定量指标未完成、定性指标为部分达成或未达成时为错误；定性指标为达成、得分在达成区间内"
        "（扣分但仍达成）时为警告。",
    ),
    Rule(
        "S10",
        WARNING,
        "定量指标的得分与按完成比例计算的得分一致",
        "正向（≥、>、=）：实际 ≥ 目标得满分，否则 分值 × 实际 ÷ 目标；反向（≤、<）："
        "实际 ≤ 目标得满分，目标 < 实际 < 2 × 目标时 分值 × (1 − (实际 − 目标) ÷ 目标)，否则 0；"
        "单位不同或实际值为文字时不计算；容差 0.01 分。",
    ),
    Rule(
        "S11",
        WARNING,
        "正向指标实际值达到目标值的 1.2 倍（规则配置）以上时，须说明原因（目标可能定得过低）",
    ),
    Rule(
        "S12",
        ERROR,
        "定性完成情况的得分区间：达成 [80%, 100%]，部分达成 [60%, 80%)，未达成 [0, 60%)（按分值计）",
        "认全国表述（达成年度指标 / 部分达成年度指标并具有一定效果 / 未达成年度指标且效果较差）、"
        "“达成预期指标”及上海的简写（达成指标 / 部分达成指标并具有一定效果 / 未达成指标且效果较差）；"
        "区间端点按 0.01 分四舍五入（如分值 7 的 80% 为 5.60）。",
    ),
    Rule("S13", ERROR, "总分 = 执行率得分 + 各指标得分之和"),
    Rule("S14", ERROR, "评分等级与总分相符：优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60（规则配置）"),
    Rule("S15", WARNING, "年度总体目标的预期目标和实际完成情况均已填写"),
    Rule("S16", ERROR, "指标体系搭配合规、三级指标和年度指标值已填写（同 D10、D11）"),
    Rule("S17", WARNING, "同一项目中三级指标不重复"),
    Rule("S18", WARNING, "同一张表不混用 2015 与 2021 两种指标体系"),
    Rule(
        "S19",
        ERROR,
        "标题中印出的分数与下级分值之和一致（下级指标分值合计应等于上级设置数）",
        "“绩效指标(90分)”= 全部指标分值之和；“产出指标(50分)”等 = 该一级指标的分值之和；"
        "“预算执行情况(10分)”= 预算执行率的分值；容差 0.01 分。",
    ),
    Rule("S20", WARNING, "年度资金总额的全年预算数为 0 或空白：无法计算执行率"),
    Rule("S21", ERROR, "年度资金总额的全年预算数为 0，全年执行数却大于 0"),
    Rule(
        "S22",
        WARNING,
        "资金明细行（当年财政拨款、上年结转资金、其他资金）不填分值、得分：只有年度资金总额行计分",
    ),
    Rule(
        "S23",
        WARNING,
        "（规则配置）总分不超过执行率对应的上限，如执行率 70%–80% 时总分最高 89",
        "规则配置 scoring.rate_caps，默认不限（全国、上海均不限）。",
    ),
    Rule(
        "S24",
        WARNING,
        "（规则配置）执行率低于规定比例时须说明原因，如四川：预算执行率未达到 90% 的需说明原因",
        "规则配置 scoring.reason_below_rate，默认不要求；原因写在资金表的“原因”栏。",
    ),
    Rule(
        "S25",
        WARNING,
        "（规则配置）实际值超过目标值较多（scoring.over_achievement 倍）的正向指标应扣分",
        "规则配置 scoring.over_achievement_deduction（扣分数），默认 0 即不扣。",
    ),
    Rule(
        "S26",
        INFO,
        "表样显示所属地区（报表编号、地区标题），可选用相应的内置规则配置（同 D17）",
    ),
    Rule(
        "X01",
        ERROR,
        "自评表的年度指标值与批复的申报表指标目标值不一致",
        "预算调整过（全年预算数与年初预算数不同）时为警告：指标可能随预算重新批复。",
    ),
    Rule("X02", ERROR, "申报表中的绩效指标在自评表中缺失"),
    Rule("X03", WARNING, "自评表中有申报表没有的绩效指标"),
    Rule("X04", WARNING, "年初预算数（年度资金总额）与申报表的年度资金申请总额不一致"),
    Rule("X05", WARNING, "找不到与自评表对应的申报表（按实施单位、项目名称匹配）"),
    Rule(
        "M01",
        ERROR,
        "同一项目（年度、实施单位、项目名称）出现在两个文件中：两个文件都列出，只汇总一次",
    ),
    Rule("M02", WARNING, "一次汇总中有不同年度或两种表单：分别写入不同的工作表"),
    Rule("M03", INFO, "金额已在万元与元之间换算为汇总表的单位"),
    Rule("M04", ERROR, "有错误的文件不汇总（除非使用 --include-invalid），汇总表和屏幕上都会列出"),
    Rule(
        "M05",
        ERROR,
        "同一项目（年度、实施单位、项目名称）在两个文件中内容不同：列出两个文件和不同的栏目，"
        "只能有一份有效；汇总时采用较新的一份",
        "较新：按工作簿记录的保存时间（文件属性中的修改时间），没有时按文件的修改时间；"
        "check 在所有给出的文件之间检查，merge 在汇总时检查并写明采用了哪一份、为什么。",
    ),
)


def _ids(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# How each rule is evaluated: the module that raises its findings.
# - xltools.read.workbook (and the file-level guards paths/isolated/api): while reading, per file;
# - xltools.check.schemas: pandera, over all forms at once: nullable (D01/S01), unique (D14/S17);
#   the row rules it runs as named checks are defined in xltools.check.rules.declaration,
#   .self_evaluation and .indicators;
# - xltools.check.rules.cross and .scoring: rules across rows or tables of one form;
# - xltools.check.rules.against: a self-evaluation against its declaration (check --declarations);
# - xltools.check.checker (check) and xltools.write.merge (merge): the M rules across files.
EVALUATED_BY: dict[str, tuple[str, ...]] = {
    "xltools.read.workbook": _ids(
        "R01 R02 R03 R04 R05 R06 R07 R08 R09 R10 R11 R12 R13 R14 R15 R16 R17 R20 R22 D17 S26"
    ),
    "xltools.read.paths": _ids("R01 R21"),
    "xltools.read.limits": _ids("R20"),
    "xltools.read.values": _ids("R04"),
    "xltools.read.isolated": _ids("R01 R20"),
    "xltools.check.schemas": _ids("D01 D14 S01 S17"),
    "xltools.check.rules.declaration": _ids("D02 D03 D04 D05 D06 D07 D08 D09"),
    "xltools.check.rules.self_evaluation": _ids("S02 S03 S05 S14 S15 S20 S21"),
    "xltools.check.rules.indicators": _ids("D10 D11 D12 D16 S08 S09 S10 S11 S12 S16 S25"),
    "xltools.check.rules.cross": _ids("D01 D13 D15 S01 S04 S06 S07 S13 S18"),
    "xltools.check.rules.scoring": _ids("S19 S22 S23 S24"),
    "xltools.check.rules.against": _ids("X01 X02 X03 X04 X05"),
    "xltools.check.checker": _ids("M05"),
    "xltools.check.conflicts": _ids("M05"),
    "xltools.write.merge": _ids("M01 M02 M03 M04 M05"),
}
_PER_INDICATOR = _ids("D10 D11 D12 D14 D16 S08 S09 S10 S11 S12 S16 S17 S25")


def _scope(rule_id: str) -> str:
    if rule_id[0] == "R":
        return FILE
    if rule_id[0] in "XM":
        return BATCH
    return INDICATOR if rule_id in _PER_INDICATOR else RECORD


# The message of every rule, per case ("" when it has one). The causes the reading layers
# find below a message (an OS error, a limit passed, a damaged archive) are worded where
# they are found and filled in as {reason} / {problem} / {error}.
# Each pair of rules (申报表 D…, 自评表 S…) that checks the same thing says it in the same words.
MIXED = "本表同时把成本指标作为一级指标（2021 体系）和产出指标下的二级指标（2015 体系），请统一"
REQUIRED = {"required": "必填项“{label}”未填写", "indicators": "没有填写任何绩效指标"}
PAIR = "“{level1}”下没有二级指标“{level2}”（不符合指标体系）"
ROW = {"name": "指标行没有填写三级指标", "target": "三级指标“{name}”没有填写{label}"}
REPEATED = {"": "三级指标“{name}”在本项目中重复出现"}
REGION = {
    "": "表样显示这是{region}的表格（“{evidence}”），可用 --profile {region} "
    "按当地做法检查；本次按“{profile}”规则配置检查，不会自动改用"
}
MESSAGES: dict[str, dict[str, str]] = {
    "D01": REQUIRED,
    "D02": {
        "category": "建议填写项目类别（或项目性质）",
        "project_total": "建议填写项目资金总额",
        "overall_goal": "建议填写项目总目标（项目整个实施期的目标）",
    },
    "D03": {
        "unreadable": "{label}“{value}”不是可识别的日期（应写作 2025-01-01）",
        "order": "计划开始日期（{start}）晚于计划完成日期（{end}）",
    },
    "D04": {"": "一年内完成的项目，计划日期（{start} 至 {end}）不在申报年度 {year:g} 年内"},
    "D05": {"": "金额不能为负数（{amount}）"},
    "D06": {
        "": "年度资金申请总额（{total}）不等于当年财政拨款、上年结转资金、其他资金之和（{parts}）"
    },
    "D07": {"": "项目资金总额（{total}）不等于财政资金与其他资金之和（{parts}）"},
    "D08": {"": "年度资金申请总额（{annual}）超过了项目资金总额（{project}）"},
    "D09": {"": "一年内完成的项目，年度“其他资金”（{annual}）与项目“其他资金”（{project}）不一致"},
    "D10": {"pair": PAIR},
    "D11": ROW,
    "D12": {
        "": "指标目标值“{target}”无法识别：应写作 运算符+数值+单位（如 >=80%、≥10000(人)），"
        "或简短的定性表述"
    },
    "D13": {"": "缺少{missing}（产出、效益、满意度指标各至少一个）"},
    "D14": REPEATED,
    "D15": {"": MIXED},
    "D16": {
        "": "三级指标“{name}”的指标目标值“{target}”过于笼统，未细化量化"
        "（财预〔2015〕88号：绩效目标应细化、量化），建议写明数值和单位"
    },
    "S01": REQUIRED,
    "S02": {"": "执行率应为 {executed} ÷ {budget} = {rate:.2f}%，表中为 {shown}%"},
    "S03": {"": "执行率得分应为 min({rate:.2f}%, 100%) × {weight} = {score:.2f}，表中为 {shown}"},
    "S04": {"": "{column}：年度资金总额（{total}）不等于其中各项之和（{parts}）"},
    "S05": {"": "执行率 {rate:.2f}% 超过 100%：全年执行数大于全年预算数，请核实"},
    "S06": {"": "指标分值之和加预算执行率分值为 {total:.2f}，应为 100"},
    "S07": {
        "level1": "{level1}的分值合计为 {actual:.2f}，规则配置建议为 {expected:g}",
        "funds": "预算执行率分值为 {weight:.2f}，规则配置建议为 {expected:g}",
    },
    "S08": {"": "得分 {score} 应在 0 与{word} {weight} 之间"},
    "S09": {
        "below": "得分({score})低于{word}({weight})，须填写偏差原因分析及改进措施",
        "achieved": "实际完成值为“{actual}”，得分({score})在达成区间内但低于{word}({weight})，"
        "建议填写扣分原因",
    },
    "S10": {
        "": "按年度指标值“{target}”与实际完成值“{actual}”计算，得分应为 {computed:.2f}"
        "（{word} {weight}），表中为 {shown}"
    },
    "S11": {
        "": "实际完成值“{actual}”达到年度指标值“{target}”的 {times:g} 倍以上，"
        "请说明原因（目标是否定得过低）"
    },
    "S12": {"": "实际完成值为“{actual}”（{tier}档），得分应在 {band} 之间，表中为 {shown}"},
    "S13": {
        "": "总分应为执行率得分 {funds_score} + 指标得分之和 {scores:.2f} = {expected:.2f}，表中为 {shown}"
    },
    "S14": {"": "总分 {total} 对应的评分等级应为“{grade}”，表中为“{shown}”"},
    "S15": {
        "expected_goal": "年度总体目标的“预期目标”未填写",
        "actual_result": "年度总体目标的“实际完成情况”未填写",
    },
    "S16": {"pair": PAIR, **ROW},
    "S17": REPEATED,
    "S18": {"": MIXED},
    "S19": {
        "": "“{heading}({printed:g}分)”：{what}的{word}之和为 {actual:.2f}，与标题中的 {printed:g} 分不一致"
    },
    "S20": {
        "blank": "年度资金总额的全年预算数为空白，无法计算执行率，请核实（如有明细行，总额应为各行之和）",
        "zero": "年度资金总额的全年预算数为 0，无法计算执行率，请核实（如有明细行，总额应为各行之和）",
    },
    "S21": {"": "年度资金总额的全年预算数为 0，全年执行数却为 {executed}：没有预算不能有支出"},
    "S22": {"": "“{line}”行填写了{what} {value}：只有年度资金总额行计分，明细行应空白"},
    "S23": {
        "": "执行率 {rate:.2f}% 低于 {below:g}%，按规则配置总分最高 {most:g} 分，表中为 {total:.2f}"
    },
    "S24": {"": "执行率 {rate:.2f}% 未达到 {below:g}%，须说明原因"},
    "X01": {
        "": "年度指标值“{target}”与申报表批复的“{declared}”不一致",
        "adjusted": "年度指标值“{target}”与申报表批复的“{declared}”不一致"
        "（全年预算数 {adjusted:,.2f} 与年初预算数 {initial:,.2f} "
        "不同，预算调整时指标可能已重新批复，请核实批复文件）",
    },
    "X02": {"": "申报表中的指标“{level1}/{level2}/{name}”（{target}）在自评表中缺失"},
    "X03": {"": "指标“{name}”不在批复的申报表中（{where}）"},
    "X04": {
        "": "年初预算数 {initial:,.2f}{unit} 与申报表的年度资金申请总额 {annual:,.2f}{unit} 不一致"
    },
    "X05": {"": "没有找到“{unit}”的项目“{project}”的申报表，未与申报表核对"},
    "M01": {"": "项目“{project}”（{what}）同时出现在 {kept} 和 {file} 中，只汇总前者一次"},
    "M02": {"": "本次汇总包含 {names}，分别写入不同的工作表"},
    "M03": {"": "项目“{project}”的金额由{unit}换算为{to}"},
    "M04": {"": "文件有 {errors} 条错误，未汇总；修正后重新汇总，或使用 --include-invalid"},
    "M05": {
        "": "项目“{project}”（{what}）在 {file} 和 {kept} 中内容不同（{listed}{more}），"
        "只能有一份有效。较新的是 {kept}：{why}；汇总时采用较新的一份，请确认后撤回另一份"
    },
    "S25": {
        "": "实际完成值“{actual}”超过年度指标值“{target}”的 {times:g} 倍，"
        "按规则配置应扣 {deduction:g} 分（得分不超过 {most:.2f}），表中为 {shown}"
    },
    # Read time: the reader finds these where it reads the cells (xltools.read.workbook).
    "R01": {
        "empty": "文件是空的（0 字节）",
        "encrypted": "工作簿设有打开密码（已加密），请去掉密码后再发送",
        "not_workbook": "不是 Excel/WPS 表格文件（.xlsx、.xlsm、.xls、.ods、.et）",
        "crc": "文件已损坏（压缩包内容校验失败）",
        "incomplete": "文件已损坏（不是完整的压缩包，可能下载或复制不完整）",
        "os_error": "文件读取失败（{error}）",
        "directory": "文件已损坏（压缩包目录无法识别）",
        "unrecognised": "文件已损坏或格式无法识别（{error}）",
        "content": "文件内容无法读取（{error}）",
        "sheet": "工作表“{sheet}”无法读取：{reason}",
        "damaged": "文件可能已损坏（{error}）",
        "sheet_data": "工作表的数据缺失",
        # The file as the system sees it (xltools.read.paths, .isolated).
        "missing": "文件不存在（或在读取过程中被删除、移动）",
        "no_permission": "没有读取该文件的权限",
        "name_too_long": "文件路径过长，无法打开",
        "os": "无法读取该文件（{error}）",
        "folder_denied": "无法打开该文件夹（没有读取权限）",
        "folder": "这是一个文件夹，不是表格文件",
        "child_crashed": "文件已损坏，读取时出错（读取程序异常终止），已跳过该文件",
    },
    "R02": {
        "": "工作簿中没有找到申报表或自评表（没有“项目支出绩效目标申报表”"
        "或“项目支出绩效自评表”一类的标题，也没有足以判断表单的标签）"
    },
    "R03": {
        "label": "找不到“{label}”标签，无法读取该项",
        "header": "找不到绩效指标表的表头（“一级指标”所在行）",
        "column": "绩效指标表中找不到“{label}”列",
    },
    "R04": {
        "": "“{label}”应为数字，{problem}",
        "text": "单元格中是“{shown}”，未按 0 处理",
        "not_finite": "不是有效的数字（无穷大或非数字）",  # xltools.read.values
        "too_large": "数字过大（超过 {most:,.0f}）",
    },
    "R05": {"": "公式单元格没有计算结果（文件未在表格软件中保存过），已按 {value} 计算"},
    "R06": {"": "“{label}”以文本形式填写（“{raw}”），已按数字 {value} 读取"},
    "R07": {"": "项目资金标签中没有注明金额单位（元或万元），按元处理"},
    "R08": {
        "": "工作表“{sheet}”有表单的标签（{labels}），但没有申报表或自评表的标题，"
        "也无法从标签判断是哪种表单（缺少“一级指标”表头或资金、完成值等标签），未读取"
    },
    "R09": {
        "": "工作表“{sheet}”中是“{title}”，xltools 只读取项目支出绩效目标申报表和自评表，未读取此表"
    },
    "R10": {"": "工作表“{sheet}”是隐藏的工作表，其中的表单也已读取，请确认它应当上报"},
    "R11": {"": "工作表“{sheet}”没有表单标题，按其中的标签作为{kind}读取"},
    "R12": {
        "": "资金行“{line}”不在标准自评表中，其金额 {amount} 未计入年度资金总额与其中各项之和的核对"
    },
    "R13": {"": "一级指标{level1}与二级指标“{level2}”不符，按指标体系读作“{new}”"},
    "R14": {"": "二级指标“{level2}”不在“{level1}”的指标体系中，按所填名称读取，请核对"},
    "R15": {"": "“{label}”是没有计算结果的公式“{formula}”，已按其文字读取"},
    "R16": {
        "": "单元格是公式“{formula}”，但没有计算结果（文件可能由程序生成，未在表格软件中保存过），"
        "未读取；请在 Excel 或 WPS 中打开并保存后再发送"
    },
    "R17": {
        "": "资金表头只有 {found} 个可识别的列标签，年度资金总额行却有 {figures} 个数值："
        "按标准顺序（{order}）读取，请核对表头"
    },
    "R20": {
        "sheet": "工作表“{sheet}”未读取：{problem}",
        "xls_sheet": "工作表“{sheet}”{problem}，未读取",
        # The limits (xltools.read.limits, .isolated); sizes as "64 MB".
        "part": "文件中的“{part}”解压后有 {size}，超过读取上限 {most}，未读取",
        "ratio": "文件中的“{part}”压缩比为 {ratio:,.0f}:1（上限 {most}:1），疑为压缩炸弹，未读取",
        "total": "文件解压后共 {size}，超过读取上限 {most}，未读取",
        "part_read": "文件中的“{part}”解压后超过读取上限 {most}，未读取",
        "xls_stream": "工作簿数据有 {size}，超过读取上限 {most}，未读取",
        "rows": "有内容的行超过 {most:,} 行（第 {rows:,} 行有内容）",
        "cols": "有内容的列超过 {most:,} 列（第 {cols:,} 列有内容）",
        "area": "从 A1 到最后一个有内容的单元格共 {rows:,} 行 × {cols:,} 列，超过 {most:,} 个单元格的读取上限",
        "timeout": "读取超过 {seconds} 秒的时间上限仍未完成，已停止读取该文件",
    },
    "R21": {
        "dangling": "快捷方式（符号链接）指向的文件不存在",
        "loop": "快捷方式（符号链接）循环指向自身，无法打开",
        "special": "这不是普通文件（是{kind}），未读取",
        "not_regular": "这不是普通文件，未读取",
    },
    "R22": {
        "": "“{label}”的文字有 {length:,} 字，超过 Excel 单元格上限 {most:,} 字，只读取前 {most:,} 字"
    },
    "D17": REGION,
    "S26": REGION,
}


def message(rule_id: str, case: str = "", **fields: object) -> str:
    """The Chinese message of a finding of ``rule_id``, from its catalogue entry."""
    return RULES[rule_id].message(case, **fields)


CATALOGUE: tuple[Rule, ...] = tuple(
    replace(
        r,
        scope=_scope(r.id),
        evaluated_by=tuple(m for m, ids in EVALUATED_BY.items() if r.id in ids),
        messages=MESSAGES.get(r.id, {}),
    )
    for r in _ENTRIES
)
RULES: dict[str, Rule] = {r.id: r for r in CATALOGUE}
UNOPENED = ("R01", "R20", "R21")  # an input (or one of its sheets) could not be read: exit 3


def matches(rule_id: str, prefixes: tuple[str, ...]) -> bool:
    """``--select S`` / ``--ignore S1,D12``: rule IDs chosen by prefix."""
    return any(rule_id.startswith(p.strip().upper()) for p in prefixes if p.strip())


def markdown() -> str:
    """docs/rules.md: the catalogue as a Markdown page."""
    lines = ["# 校验规则一览", "", "由 `xltools rules --format markdown` 生成，请勿手工修改。", ""]
    for prefix, group in GROUPS.items():
        lines += [
            f"## {prefix} — {group}",
            "",
            "| 编号 | 严重程度 | 范围 | 规则 |",
            "|---|---|---|---|",
        ]
        for rule in CATALOGUE:
            if rule.id.startswith(prefix):
                text = f"{rule.title}。{rule.detail}" if rule.detail else rule.title
                lines.append(f"| {rule.id} | {rule.severity} | {rule.scope_name} | {text} |")
        lines.append("")
    return "\n".join(lines)
