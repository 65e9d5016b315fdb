"""The test kit of xltools: what the tests and the benchmarks generate and compare.

Importable from the tests (pytest puts the repository root on ``sys.path``, see
``pythonpath`` in pyproject.toml) and from the benchmarks (``benchmarks/common.py``
puts it there), never shipped in the wheel. Nothing here is imported by xltools itself
except ``python -m xltools.regenerate``, which writes the golden snapshots.

- :mod:`testkit.snapshot`: a workbook's content as plain data and as stable text (the
  golden files under tests/golden/).
- :mod:`testkit.reference`: the reference workbooks re-saved by LibreOffice
  (tests/fixtures/reference/) and their comparison by content.
- :mod:`testkit.office`: ``soffice --headless --convert-to`` with a private profile.
"""
