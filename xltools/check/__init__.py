"""Checking the records read: the rule catalogue applied to every form of a batch.

``checker`` runs a check (Report, Checker, check); ``frames`` and ``schemas`` turn the
records into pandas tables validated by pandera; ``rules`` holds the row, cross-table
and scoring rules; ``conflicts`` compares revisions across files; ``targets`` parses
指标值 and scores; ``explain`` says what each rule means, with examples.
"""
