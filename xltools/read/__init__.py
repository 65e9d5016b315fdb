"""Reading returned workbooks: opening them safely, finding the forms, reading the records.

``workbook`` opens a file (limits, isolated, paths guard against hostile input) and
reads every form in it, in our layout or one it recognises by meaning (recognise,
foreign, foreign_table, levels, formulas, values, region); ``workers`` reads many
files on several processes.
"""
