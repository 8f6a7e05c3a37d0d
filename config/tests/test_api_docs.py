"""The schema's words: every operation gets a tag, a summary and a description, also one added later."""

from __future__ import annotations

from config import api_docs


def test_known_operations_read_chinese_then_english():
    operation = {"operationId": "v1_progress_reports_create", "description": "internal note"}
    api_docs.describe(operation, "/api/v1/progress-reports/", "post")
    assert operation["tags"] == ["progress-reports"]
    assert operation["summary"] == "新增进度报送 / Create a progress report"
    zh, en = operation["description"].split("\n\n")
    assert "duplicate" in zh
    assert en.startswith("Create a progress report.")
    assert "internal note" not in operation["description"]


def test_an_operation_added_later_keeps_its_docstring():
    operation = {"operationId": "v1_progress_reports_approve_create", "description": "Approve the report. Staff only."}
    api_docs.describe(operation, "/api/v1/progress-reports/{id}/approve/", "post")
    assert operation["tags"] == ["progress-reports"]
    assert operation["summary"] == "进度报送：Approve the report."
    assert operation["description"] == "Approve the report. Staff only."
    bare = {"operationId": "v1_blockers_close_create"}
    api_docs.describe(bare, "/api/v1/blockers/{id}/close/", "post")
    assert bare["summary"] == "堵点：close create"
    assert bare["description"] == bare["summary"]
