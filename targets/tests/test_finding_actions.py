"""What staff and units do with a finding: measures, close-out request, 销号, dismissal, extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from targets import findings
from targets.models import Finding, FindingUpdate
from targets.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def finding():
    item = TargetFactory()
    return Finding.objects.create(
        item=item,
        cause="red",
        opened_on=D(2023, 7, 10),
        light_when_found="red",
        deadline=D(2023, 7, 24),
        department=item.lead_department,
    )


def test_it_moves_to_in_progress_when_the_unit_enters_measures(finding, unit_user):
    findings.record_measures(finding, "协调自然资源局加快用地报批", unit_user)
    finding.refresh_from_db()
    assert (finding.state, finding.measures) == ("in_progress", "协调自然资源局加快用地报批")
    assert finding.history.first().history_user == unit_user


def test_it_refuses_empty_measures(finding):
    with pytest.raises(ValidationError) as exc:
        findings.record_measures(finding, "  ")
    assert exc.value.error_dict["measures"][0].code == "required"


def test_it_needs_measures_before_a_close_out_request(finding):
    with pytest.raises(ValidationError):
        findings.request_closure(finding)
    findings.record_measures(finding, "已开工")
    findings.request_closure(finding, on=D(2023, 7, 20))
    finding.refresh_from_db()
    assert (finding.state, finding.closure_requested_on) == ("closure_requested", D(2023, 7, 20))


def test_it_closes_out_only_with_a_verification_note_and_stays_closed(finding, staff_user):
    with pytest.raises(ValidationError):
        findings.close_out(finding, staff_user, "")
    findings.close_out(finding, staff_user, "现场核验：已开工", on=D(2023, 7, 25))
    finding.refresh_from_db()
    assert (finding.state, finding.verified_by, finding.closed_on) == ("closed", staff_user, D(2023, 7, 25))

    with pytest.raises(ValidationError) as exc:
        findings.record_measures(finding, "再次整改")
    assert exc.value.code == "invalid_state"
    with pytest.raises(ValidationError):
        findings.close_out(finding, staff_user, "again")


def test_it_dismisses_with_a_reason(finding, staff_user):
    with pytest.raises(ValidationError):
        findings.dismiss(finding, staff_user, "")
    findings.dismiss(finding, staff_user, "统计口径调整，非实际滞后")
    finding.refresh_from_db()
    assert (finding.state, finding.dismissed_reason) == ("dismissed", "统计口径调整，非实际滞后")


def test_it_moves_the_deadline_only_on_approval_and_keeps_the_original(finding, unit_user, staff_user):
    with pytest.raises(ValidationError) as exc:
        findings.request_extension(finding, D(2023, 7, 20), "", unit_user)
    assert set(exc.value.error_dict) == {"requested_deadline", "reason"}

    request = findings.request_extension(finding, D(2023, 8, 31), "征迁协议待签", unit_user)
    finding.refresh_from_db()
    assert finding.deadline == D(2023, 7, 24)

    findings.decide_extension(request, staff_user, approve=True)
    finding.refresh_from_db()
    assert (finding.deadline, finding.original_deadline) == (D(2023, 8, 31), D(2023, 7, 24))
    with pytest.raises(ValidationError):
        findings.decide_extension(request, staff_user, approve=False)

    second = findings.request_extension(finding, D(2023, 9, 30), "再延期", unit_user)
    findings.decide_extension(second, staff_user, approve=True)
    finding.refresh_from_db()
    assert (finding.deadline, finding.original_deadline) == (D(2023, 9, 30), D(2023, 7, 24))


def test_it_rejects_an_extension_without_moving_the_deadline(finding, unit_user, staff_user):
    request = findings.request_extension(finding, D(2023, 8, 31), "征迁协议待签", unit_user)
    findings.decide_extension(request, staff_user, approve=False)
    finding.refresh_from_db()
    assert (finding.deadline, finding.original_deadline, request.decision) == (D(2023, 7, 24), None, "rejected")


def test_it_appends_progress_notes(finding, unit_user):
    findings.add_update(finding, "已召开协调会", unit_user, on=D(2023, 7, 12))
    findings.add_update(finding, "用地预审已报送", unit_user, on=D(2023, 7, 18))
    assert list(FindingUpdate.objects.values_list("date", "text")) == [
        (D(2023, 7, 12), "已召开协调会"),
        (D(2023, 7, 18), "用地预审已报送"),
    ]


def test_the_database_allows_one_open_finding_per_item_and_cause(finding):
    duplicate = Finding(item=finding.item, cause="red", opened_on=D(2023, 7, 11), light_when_found="red", deadline=D(2023, 7, 25))
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    finding.state = "closed"
    finding.save()
    duplicate.save()  # once the first is closed, the lag may be raised again
    assert Finding.objects.filter(dedupe_key=finding.dedupe_key).count() == 2


def test_staff_may_raise_several_manual_findings_on_one_item(finding):
    for day in (1, 2):
        Finding.objects.create(
            item=finding.item,
            cause="manual",
            source="site_inspection",
            opened_on=D(2023, 8, day),
            light_when_found="yellow",
            deadline=D(2023, 8, 20),
        )
    assert Finding.objects.filter(item=finding.item, cause="manual").count() == 2
