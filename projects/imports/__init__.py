"""Excel imports of the project register (项目台账: the projects themselves) and of monthly
progress (月度进度).

Plain functions, callable without the web stack: `workbook` reads the bureau's sheets as they are
(title rows, two-row headers, formulas, 1—2月), `register` (projects and their monthly plans) and
`progress` (monthly reports) parse, validate and diff rows against the database and apply them in
one transaction, `template` builds the downloadable templates and `jobs` runs an ImportBatch
through analysis and apply. The batch kind of a register import is still stored as "ledger".
"""
