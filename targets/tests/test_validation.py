"""Input rules, as plain functions (no database) and through the models' clean()."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from targets import validation
from targets.models import Milestone, Plan, ProgressReport, Target

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN1, DEC31 = dt.date(2023, 1, 1), dt.date(2023, 12, 31)


def report_errors(**overrides):
    args = {
        "is_yes_no": False,
        "value": Decimal("10"),
        "as_of": dt.date(2023, 6, 30),
        "today": dt.date(2023, 7, 5),
        "period_start": JAN1,
        "period_end": DEC31,
        "previous_value": Decimal("8"),
        "correction_reason": "",
    }
    args.update(overrides)
    return validation.progress_report(**args)


def codes(errors):
    return {field: error.code for field, error in errors.items()}


class TestPureRules:
    def test_it_accepts_a_valid_report(self):
        assert report_errors() == {}

    @pytest.mark.parametrize(
        ("overrides", "expected"),
        [
            ({"value": Decimal("-1"), "previous_value": None}, {"value": "negative"}),
            ({"is_yes_no": True}, {"value": "value_not_allowed"}),
            ({"as_of": dt.date(2023, 7, 6)}, {"as_of": "date_in_future"}),
            ({"as_of": dt.date(2022, 12, 31), "today": dt.date(2023, 7, 5)}, {"as_of": "outside_period"}),
            ({"value": Decimal("7")}, {"correction_reason": "decrease_without_reason"}),
        ],
    )
    def test_it_rejects_each_bad_input_with_a_code(self, overrides, expected):
        assert codes(report_errors(**overrides)) == expected

    def test_it_allows_a_decrease_with_a_reason(self):
        assert report_errors(value=Decimal("7"), correction_reason="统计口径调整") == {}

    def test_it_treats_a_blank_reason_as_missing(self):
        assert codes(report_errors(value=Decimal("7"), correction_reason="   ")) == {
            "correction_reason": "decrease_without_reason"
        }

    def test_it_accepts_the_first_and_last_day_of_the_period(self):
        assert report_errors(as_of=JAN1, previous_value=None) == {}
        assert report_errors(as_of=DEC31, today=DEC31) == {}

    def test_it_accepts_an_equal_cumulative_value(self):
        assert report_errors(value=Decimal("8")) == {}

    def test_it_checks_a_report_against_the_later_neighbour_too(self):
        # The audit's case: 99,999 dated 08-01 while the report for 08-31 says 29,805.5.
        later = {"next_value": Decimal("29805.5"), "next_as_of": dt.date(2023, 8, 31)}
        errors = report_errors(as_of=dt.date(2023, 8, 1), today=dt.date(2023, 9, 5), value=Decimal("99999"), **later)
        assert codes(errors) == {"value": "above_later_report"}
        assert "2023-08-31" in errors["value"].messages[0]
        assert report_errors(as_of=dt.date(2023, 8, 1), today=dt.date(2023, 9, 5), value=Decimal("29805.5"), **later) == {}

    def test_it_rejects_a_period_ending_before_it_starts(self):
        assert codes(validation.period_order(DEC31, JAN1)) == {"period_end": "end_before_start"}
        assert validation.period_order(JAN1, JAN1) == {}

    def test_it_rejects_an_actual_date_in_the_future(self):
        today = dt.date(2023, 5, 1)
        assert codes(validation.actual_date_not_future(dt.date(2023, 5, 2), today)) == {"actual_date": "date_in_future"}
        assert validation.actual_date_not_future(today, today) == {}

    def test_it_rejects_a_decreasing_cumulative_plan(self):
        points = [
            (dt.date(2023, 3, 31), Decimal("30")),
            (dt.date(2023, 2, 28), Decimal("10")),
            (dt.date(2023, 4, 30), Decimal("20")),
        ]
        assert codes(validation.checkpoint_series(points)) == {"expected_value": "checkpoint_decreasing"}
        assert validation.checkpoint_series(sorted(points)[:2]) == {}

    def test_it_merges_errors_keeping_the_first_per_field(self):
        with pytest.raises(ValidationError) as exc:
            validation.raise_if_any(validation.non_negative(a=-1), validation.non_negative(a=-2, b=-3))
        assert set(exc.value.error_dict) == {"a", "b"}


@pytest.fixture
def goal(plan, departments):
    return Target.objects.create(
        plan=plan,
        code="2023-G49",
        title="建设充电桩",
        metric_kind="count",
        target_value=200,
        period_start=JAN1,
        period_end=DEC31,
        lead_department=departments["bureau"],
    )


def error_codes(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {field: errors[0].code for field, errors in exc.value.error_dict.items()}


@pytest.mark.django_db
class TestModelClean:
    @pytest.fixture(autouse=True)
    def _today_is_10_july_2023(self, time_machine):
        time_machine.move_to(dt.datetime(2023, 7, 10, 9, 0, tzinfo=SHANGHAI), tick=False)

    def test_it_rejects_negative_target_values(self, goal):
        goal.target_value = Decimal("-5")
        with pytest.raises(ValidationError) as exc:
            goal.full_clean()
        assert error_codes(exc)["target_value"] == "negative"

    def test_it_rejects_a_plan_ending_before_it_starts(self):
        plan = Plan(year=2030, title="x", period_start=DEC31, period_end=JAN1)
        with pytest.raises(ValidationError) as exc:
            plan.full_clean()
        assert error_codes(exc) == {"period_end": "end_before_start"}

    def test_it_rejects_a_target_value_on_a_yes_no_goal(self, goal):
        goal.metric_kind = "milestone"
        with pytest.raises(ValidationError) as exc:
            goal.full_clean()
        assert error_codes(exc)["target_value"] == "value_not_allowed"

    def test_it_rejects_a_milestone_done_in_the_future(self, goal):
        milestone = Milestone(item=goal, title="开工", kind="start", actual_date=dt.date(2023, 7, 11))
        with pytest.raises(ValidationError) as exc:
            milestone.full_clean()
        assert error_codes(exc) == {"actual_date": "date_in_future"}
        milestone.actual_date = dt.date(2023, 7, 10)
        milestone.full_clean()

    def test_it_rejects_a_lower_cumulative_report_without_a_reason(self, goal):
        ProgressReport.objects.create(item=goal, as_of=dt.date(2023, 5, 31), value=120)
        lower = ProgressReport(item=goal, as_of=dt.date(2023, 6, 30), value=100)
        with pytest.raises(ValidationError) as exc:
            lower.full_clean()
        assert error_codes(exc) == {"correction_reason": "decrease_without_reason"}
        lower.correction_reason = "重复统计5个，已核减"
        lower.full_clean()
        assert lower.period == dt.date(2023, 6, 1)

    def test_it_accepts_a_lower_report_before_a_later_one(self, goal):
        ProgressReport.objects.create(item=goal, as_of=dt.date(2023, 6, 30), value=150)
        earlier = ProgressReport(item=goal, as_of=dt.date(2023, 5, 31), value=100)
        earlier.full_clean()

    def test_it_rejects_a_report_between_two_that_exceeds_the_later_one(self, goal):
        ProgressReport.objects.create(item=goal, as_of=dt.date(2023, 5, 31), value=100)
        ProgressReport.objects.create(item=goal, as_of=dt.date(2023, 6, 30), value=150)
        between = ProgressReport(item=goal, as_of=dt.date(2023, 6, 15), value=999)
        with pytest.raises(ValidationError) as exc:
            between.full_clean()
        assert error_codes(exc) == {"value": "above_later_report"}
        between.value = 120
        between.full_clean()

    def test_a_later_correction_with_a_reason_is_not_a_bound(self, goal):
        ProgressReport.objects.create(item=goal, as_of=dt.date(2023, 6, 30), value=90, correction_reason="重复统计，已核减")
        ProgressReport(item=goal, as_of=dt.date(2023, 5, 31), value=120).full_clean()

    def test_it_rejects_a_value_on_a_yes_no_goal_report(self, plan):
        yes_no = Target.objects.create(
            plan=plan, code="2023-G29", title="建立民间投资项目库", metric_kind="milestone", period_start=JAN1, period_end=DEC31
        )
        report = ProgressReport(item=yes_no, as_of=dt.date(2023, 6, 30), value=1, narrative="已建立")
        with pytest.raises(ValidationError) as exc:
            report.full_clean()
        assert error_codes(exc) == {"value": "value_not_allowed"}
        report.value = None
        report.full_clean()

    def test_it_rejects_a_report_outside_the_goal_period(self, goal):
        goal.period_end = dt.date(2023, 3, 31)
        goal.save()
        report = ProgressReport(item=goal, as_of=dt.date(2023, 4, 30), value=10)
        with pytest.raises(ValidationError) as exc:
            report.full_clean()
        assert error_codes(exc) == {"as_of": "outside_period"}

    def test_it_keeps_every_corrected_value_in_the_history(self, goal, staff_user):
        report = ProgressReport.objects.create(item=goal, as_of=dt.date(2023, 6, 30), value=100)
        report.value = 90
        report.correction_reason = "口径调整"
        report._history_user = staff_user
        report.save()
        values = [(h.value, h.history_user) for h in report.history.order_by("history_date")]
        assert values == [(Decimal("100.00"), None), (Decimal("90.00"), staff_user)]
