"""Tests that span the apps (targets, projects and notifications together): every admin page, the
list pages' query counts, the API's permission contract, the zh_Hans catalogue, retention.

Tests that need only targets and projects live with projects (projects/tests/).
"""
