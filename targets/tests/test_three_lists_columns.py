"""The three lists are declared once (targets.three_lists_columns): the admin's tabs, the API's
fields, the .xlsx sheets and the rows a round freezes are what the declaration says, in its order."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib import admin
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from targets import three_lists_columns as declared
from targets.admin.finding_lists import LIST_MODES
from targets.api.serializers import FindingSerializer
from targets.documents import three_lists
from targets.findings import rounds
from targets.models import Finding

from .factories import TargetFactory
from .supervision_data import make_finding

CHANGELIST = "/admin/targets/finding/"


def every_column() -> list[declared.ListColumn]:
    return [c for three_list in declared.LISTS for c in (*declared.COMMON, *three_list.columns)]


def test_the_lists_are_the_admins_tabs_and_the_workbooks_sheets():
    assert [three_list.key for three_list in declared.LISTS] == list(LIST_MODES)
    assert [name for name, _columns in three_lists.SHEETS] == ["问题清单", "责任清单", "整改清单"]


def test_the_workbook_has_the_declared_sheets_headers_widths_and_formats():
    book = openpyxl.load_workbook(io.BytesIO(three_lists.three_lists_xlsx([], "2023")))

    assert book.sheetnames == [three_list.sheet for three_list in declared.LISTS]
    for three_list in declared.LISTS:
        sheet = book[three_list.sheet]
        columns = declared.sheet_columns(three_list)
        assert [cell.value for cell in sheet[1]] == [c.sheet.header for c in columns]
        assert three_lists.headers(three_list.sheet) == [c.sheet.header for c in columns]
        for index, column in enumerate(columns, start=1):
            assert sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width == column.sheet.width


@pytest.mark.parametrize("three_list", declared.LISTS, ids=lambda three_list: three_list.key)
def test_each_admin_tab_shows_the_declared_columns(client, staff_user, three_list):
    client.force_login(staff_user)

    shown = tuple(client.get(CHANGELIST, {"list": three_list.key}).context["cl"].list_display)
    assert shown[0] == "action_checkbox"
    shown = shown[1:]

    assert shown == declared.admin_columns(three_list)
    assert shown[:2] == ("number_display", "item_link")  # COMMON's
    model_admin = admin.site._registry[Finding]
    fields = {f.name for f in Finding._meta.get_fields()}
    assert all(hasattr(model_admin, name) or name in fields for name in shown)


def test_the_api_answers_the_declared_fields_in_the_schemas_order():
    every = FindingSerializer().fields

    assert list(every) == [*declared.API_CORE, *(name for t in declared.LISTS for name in declared.api_fields(t))]
    assert {c.api for c in every_column() if c.api} <= set(every)
    for three_list in declared.LISTS:
        request = Request(APIRequestFactory().get("/api/v1/findings/", {"list": three_list.key}))
        fields = FindingSerializer(context={"request": request}).fields
        assert list(fields) == [*declared.API_CORE, *declared.api_fields(three_list)]


def test_a_column_in_two_lists_is_one_declaration():
    by_key: dict[str, declared.ListColumn] = {}
    for column in every_column():
        other = by_key.setdefault(column.key, column)
        assert (other.freeze, other.labels, other.admin, other.api, other.kept) == (
            column.freeze,
            column.labels,
            column.admin,
            column.api,
            column.kept,
        ), column.key


@pytest.mark.django_db
def test_a_three_list_row_holds_every_column_the_sheets_read(plan, departments):
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    other = TargetFactory(plan=plan, lead_department=departments["beta"])
    findings = [make_finding(goal), make_finding(other, cause="milestone_missed", expected=None, actual=None, gap=None)]

    rows = rounds.rows_of(rounds.findings_for_lists(Finding.objects.filter(pk__in=[f.pk for f in findings])))

    kept = {c.key for c in declared.row_columns()}
    read = {c.key for t in declared.LISTS for c in declared.sheet_columns(t) if c.read is None}
    for row in rows:
        assert kept <= set(row)
        assert read <= set(row)
        assert "number" in row  # the column the row adds (kept=False)
