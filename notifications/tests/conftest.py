from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _reports_in_the_past(time_machine):
    # The 2023 reports and milestone dates are all in the past; the tests pass as_of explicitly.
    time_machine.move_to(dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def staff(staff_user):
    staff_user.email = "staff@example.com"
    staff_user.save()
    return staff_user


@pytest.fixture
def fast_retries(settings):
    settings.DUBAN_NOTIFY_ATTEMPTS = 3
    settings.DUBAN_NOTIFY_BACKOFF_MS = 1
    return settings
