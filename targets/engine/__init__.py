"""The supervision engine: how every goal and project is judged on a date, and the run that does it.

Read in this order:

- facts: the plain data the rules read (ItemFacts, ReportFacts, Thresholds) and what they answer
  (Status, ItemStatus); no database.
- schedule, workdays: expected values on the statistics calendar (序时, checkpoints), and working
  days on the PRC calendar.
- judging: how a goal is judged (its kind, cadence, due dates, final verdict, who owes reports).
- comparisons: whether a relation holds, gaps and the forecast.
- rules: the ordered rule tables per judging kind; ``rules.evaluate`` gives an item's light and reasons.
- evaluation: gathers the facts from the database, chunk by chunk in a fixed number of queries.
- supervision: the run (``supervise``): rules over the gathered facts, snapshots, events and verdicts
  written, the statuses handed to the finding register (targets.findings).
- bulk: the run's set-based writes (COPY on PostgreSQL).

The first six are pure functions over plain data; the last three touch the database. This package
re-exports nothing and imports nothing, so ``import targets.engine.rules`` loads no model.
"""
