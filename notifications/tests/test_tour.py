"""`make tour` brings the demo alive at a 2023 date and says where to look; it is safe to repeat."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import Project
from targets.models import ApiToken, Finding, StatusSnapshot, SupervisionRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)
    call_command("setup_demo", stdout=StringIO(), stderr=StringIO())


def tour(tmp_path, **options) -> str:
    out = StringIO()
    call_command("tour", preview_dir=tmp_path, port=8123, stdout=out, **options)
    return out.getvalue()


def test_the_tour_runs_supervision_at_a_2023_date_and_prints_where_to_look(demo, tmp_path):
    out = tour(tmp_path)

    run = SupervisionRun.objects.get()
    assert run.as_of.isoformat() == "2023-07-10"
    assert StatusSnapshot.objects.filter(date=run.as_of).count() > 240
    assert Finding.objects.exists()
    assert all(f.opened_on.year == 2023 for f in Finding.objects.all())
    preview = tmp_path / "digest-staff-2023-W28.html"
    assert "督办" in preview.read_text(encoding="utf-8")
    token = ApiToken.objects.get(name="make tour")
    assert token.read_only
    assert "http://127.0.0.1:8123/admin/dashboard/?month=2023-07" in out
    for tab in ("problem", "responsibility", "rectification"):
        assert f"/admin/targets/finding/?list={tab}" in out
    assert "Authorization: Token " in out
    assert "/api/v1/targets/?plan=2023&as_of=2023-07-10" in out


def test_a_second_tour_keeps_the_register_and_the_findings(demo, tmp_path):
    tour(tmp_path)
    projects = set(Project.objects.filter(is_demo=True).values_list("pk", flat=True))
    findings = set(Finding.objects.values_list("pk", flat=True))

    out = tour(tmp_path)

    assert "already there" in out
    assert set(Project.objects.filter(is_demo=True).values_list("pk", flat=True)) == projects
    assert set(Finding.objects.values_list("pk", flat=True)) == findings


def test_the_tour_refuses_a_date_outside_2023(demo, tmp_path):
    with pytest.raises(CommandError, match="a date in 2023"):
        tour(tmp_path, as_of=dt.date(2024, 1, 5))
