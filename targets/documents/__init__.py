"""The bureau's documents: the .xlsx writer (spreadsheets), the three lists and the 督办通知单
(three_lists), the goal list's table (goals_table), the fixed wording they share (words), the SVG
chart of an item's plan and actual (charts), and the file responses of the admin (downloads)."""
