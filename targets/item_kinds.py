"""What the engine knows of each kind of tracked item, lent by the app that owns the kind.

The engine holds goals (targets.Target); projects are the register's (projects.Project), which
registers its kind here when its app loads, as it registers its roll-ups (targets.rollups). So the
engine names no field or URL of the register and the dependency stays projects -> targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .choices import ItemKind


@dataclass(frozen=True)
class Kind:
    """``admin``: the admin's "app_model" (its change page is admin:<admin>_change); ``child``: the
    TrackedItem child holding the kind's own fields; ``owner``: the child's field naming who owns
    the item (项目业主), shown in the responsibility list."""

    admin: str
    child: str | None = None
    owner: str | None = None


UNKNOWN = Kind(admin="targets_trackeditem")
_kinds: dict[str, Kind] = {ItemKind.GOAL: Kind(admin="targets_target", child="target")}


def register(kind: str, *, admin: str, child: str | None = None, owner: str | None = None) -> Kind:
    _kinds[kind] = Kind(admin, child, owner)
    return _kinds[kind]


def of(kind: str) -> Kind:
    return _kinds.get(kind, UNKNOWN)


def change_url(kind: str, pk: int) -> str | None:
    """The item's admin page (None when that admin is not installed)."""
    try:
        return reverse(f"admin:{of(kind).admin}_change", args=[pk])
    except NoReverseMatch:
        return None


def _owning() -> list[Kind]:
    return [kind for kind in _kinds.values() if kind.child and kind.owner]


def owner_lookup(prefix: str = "") -> str | None:
    """The ORM path from a TrackedItem (``prefix`` for a relation to it) to its owner; one kind
    registers an owner today (the register's projects), None when none does."""
    owning = _owning()
    return f"{prefix}{owning[0].child}__{owning[0].owner}" if owning else None


def owner_related(prefix: str = "") -> list[str]:
    """select_related() paths that owner_of() reads without a query."""
    return [f"{prefix}{kind.child}" for kind in _owning()]


def owner_of(item) -> str:
    """Who owns the item ("" for a kind without an owner, or a missing child row)."""
    kind = of(item.kind)
    if not (kind.child and kind.owner):
        return ""
    child = getattr(item, kind.child, None)
    return getattr(child, kind.owner, "") if child is not None else ""
