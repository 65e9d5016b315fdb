"""A TOML syntax error of a profile, in Chinese, with its line and column.

tomllib words its errors in English, "Invalid value (at line 3, column 8)"; Python
3.14 adds ``lineno``/``colno``/``msg`` attributes, earlier versions only the text.
Each of tomllib's messages has its Chinese wording here; the parts quoted from the
user's file (a key, a character) are kept as they are.
"""

from __future__ import annotations

import re
import tomllib

_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")
_REASONS: tuple[tuple[str, str], ...] = (  # tomllib's message → Chinese, most specific first
    (r"Invalid statement", "无法识别的一行（应为 键 = 值 或 [表名]；中文的键须加引号）"),
    (r"Expected newline or end of document after a statement", "一行只能写一项，此后应换行"),
    (r"Expected '=' after a key in a key/value pair", "键的后面应有 “=”"),
    (r"Expected '\]' at the end of a table declaration", "表名的后面应有 “]”"),
    (r"Expected '\]\]' at the end of an array declaration", "表名的后面应有 “]]”"),
    (r"Expected (.+)", "此处应为 {0}"),
    (r"Found invalid character (.+)", "有无效的字符 {0}"),
    (r"Cannot declare (.+) twice", "{0} 声明了两次"),
    (r"Cannot overwrite a value", "同一项设置了两次"),
    (r"Cannot mutate immutable namespace (.+)", "{0} 已在别处定义完整，不能再添加"),
    (r"Cannot redefine namespace (.+)", "{0} 已在别处定义，不能重新定义"),
    (r"Invalid initial character for a key part", "键的开头字符无效（含中文的键请加引号）"),
    (r"Unclosed array", "列表缺少结尾的 “]”"),
    (r"Duplicate inline table key (.+)", "内联表中的键 {0} 重复"),
    (r"Unclosed inline table", "内联表缺少结尾的 “}}”"),
    (r"Unescaped '\\' in a string", "字符串中的 “\\” 未转义（写作 “\\\\”，或用单引号）"),
    (r"Invalid hex value", "无效的十六进制转义"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不是有效的 Unicode 字符"),
    (r"Unterminated string", "字符串缺少结尾的引号"),
    (r"Illegal character '\\n'", "字符串缺少结尾的引号"),
    (r"Illegal character (.+)", "有不允许的字符 {0}"),
    (r"Invalid date or datetime", "无效的日期或时间"),
    (r"Invalid value", '无效的值（文字须加引号，如 "提示"）'),
)


def describe(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """ "第 3 行第 8 列：无效的值（…）" for the error ``exc`` raised on ``text``."""
    message = str(getattr(exc, "msg", None) or exc)
    where = _WHERE.search(message)
    line = getattr(exc, "lineno", None) or (where and where.group(1) and int(where.group(1)))
    column = getattr(exc, "colno", None) or (where and where.group(2) and int(where.group(2)))
    stem = _WHERE.sub("", message)
    reason = next(
        (
            chinese.format(*m.groups())
            for pattern, chinese in _REASONS
            if (m := re.fullmatch(pattern, stem))
        ),
        "格式错误",
    )
    if not line:  # "at end of document": the last line
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    return f"第 {line} 行第 {column} 列：{reason}"
