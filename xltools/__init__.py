"""xltools：财政项目支出绩效目标申报表与自评表的模板、读取、校验与汇总。

The Python API lives in :mod:`xltools.api`; the command line in :mod:`xltools.cli`.
This module stays import-light so that ``xltools --help`` starts fast.
"""

__version__ = "0.1.0"
