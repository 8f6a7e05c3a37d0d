"""The register's documents: the project list's .xlsx (重大项目台账), the 月度调度表 and the 督查通报 .docx.

The dashboard's own .xlsx stays with the dashboard (projects.dashboard.xlsx).
"""
