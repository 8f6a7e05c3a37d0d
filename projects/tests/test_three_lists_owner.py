"""A project's owner (项目业主, registered by the register's item kind) in the three lists: the
round's frozen rows, the 责任清单 sheet and the finding list's responsibility columns. Goals have
no owner: targets/tests/test_rounds.py, test_exports.py and test_admin_findings.py judge goals."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.urls import reverse

from targets.documents import three_lists
from targets.findings import rounds
from targets.models import RoundFinding
from targets.tests.supervision_data import make_finding
from targets.tests.test_exports import RESPONSIBILITY_HEADERS

from .factories import ProjectFactory

D = dt.date
OWNER = "台州交通投资集团"


def project_finding(plan, departments):
    project = ProjectFactory(
        plan=plan, code="P-001", title="椒江大桥改建工程", owner_company=OWNER, lead_department=departments["alpha"]
    )
    return make_finding(project)


def test_a_round_keeps_the_projects_owner(plan, departments):
    finding = project_finding(plan, departments)

    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", None)

    assert RoundFinding.objects.get(round=round_, finding=finding).data["owner_company"] == OWNER


def test_the_responsibility_sheet_names_the_projects_owner(plan, departments):
    project_finding(plan, departments)
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", None)

    book = openpyxl.load_workbook(io.BytesIO(three_lists.three_lists_xlsx(rounds.entries(round_), "2023-R1")))

    row = dict(zip(RESPONSIBILITY_HEADERS, (c.value for c in book["责任清单"][2]), strict=True))
    assert (row["督办对象编号"], row["项目业主"]) == ("P-001", OWNER)


def test_the_finding_lists_responsibility_columns_show_the_projects_owner(client, staff_user, plan, departments):
    project_finding(plan, departments)
    client.force_login(staff_user)

    page = client.get(reverse("admin:targets_finding_changelist") + "?list=responsibility&level__exact=1")

    assert "owner_company_display" in page.context["cl"].list_display
    assert OWNER in page.content.decode()
