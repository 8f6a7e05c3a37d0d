"""The 三图表 dashboard (挂图作战) for bureau staff: headline numbers, the battle map, investment
progress, the responsibility table and the ranking of units, for one month of a plan.

Each section is a plain function of (plan, as-of month end, filters) returning plain data, so it is
tested without the web stack; views.py renders them and xlsx.py writes the same data to a workbook.
"""
