"""What the register lends the engine by registration (targets.item_kinds, registered in
projects/apps.py): a project's admin page and its owner, without the engine naming either."""

from __future__ import annotations

from projects.models import Project
from targets import item_kinds
from targets.choices import ItemKind
from targets.models import Target, TrackedItem


def test_each_kind_names_its_admin_page():
    assert item_kinds.of(ItemKind.GOAL).admin == "targets_target"
    assert item_kinds.of(ItemKind.PROJECT).admin == "projects_project"
    assert item_kinds.of("unknown").admin == "targets_trackeditem"


def test_the_owner_is_the_projects_owner_company():
    assert item_kinds.owner_lookup("item__") == "item__project__owner_company"
    assert item_kinds.owner_related("item__") == ["item__project"]


def test_only_a_project_has_an_owner():
    project = Project(kind=ItemKind.PROJECT, owner_company="区城投公司")
    item = TrackedItem(kind=ItemKind.PROJECT)
    item.project = project
    assert item_kinds.owner_of(item) == "区城投公司"
    assert item_kinds.owner_of(Target(kind=ItemKind.GOAL)) == ""
