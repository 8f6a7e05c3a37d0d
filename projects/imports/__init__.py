"""Excel imports of the project ledger (项目台账) and of monthly progress (月度进度).

Plain functions, callable without the web stack: `workbook` reads the bureau's sheets as they are
(title rows, two-row headers, formulas, 1—2月), `ledger` and `progress` parse, validate and diff
rows against the database and apply them in one transaction, `template` builds the downloadable
templates and `jobs` runs an ImportBatch through analysis and apply.
"""
