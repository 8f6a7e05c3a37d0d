"""The import structure, read from the source with ast (no database): the apps form a one-way stack
(targets <- projects <- notifications) and the engine's modules import each other without circles,
lazy imports inside functions included. An app's tests keep to the stack too: those that need a higher
app live in its tests (projects/tests/) or in integration_tests/.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lower layers never import higher ones: projects may import targets, notifications both.
STACK = ("targets", "projects", "notifications")
# The apps whose modules must import each other without circles.
WITHOUT_CIRCLES = ("targets", "projects", "notifications")
# Circles not removed yet, each a sorted tuple of module names. Empty: any circle fails the test;
# add one here only with the reason it cannot be broken yet.
KNOWN_CIRCLES: set[tuple[str, ...]] = set()
# Test modules that still import a higher app, as "tests/module.py -> imported". Empty: any such
# import fails the test; move the test to the higher app's tests (or integration_tests/) instead.
TESTS_ALLOWED_UPWARD: set[str] = set()


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


@functools.cache
def modules() -> dict[str, tuple[Path, bool]]:
    """The apps' runtime modules (tests and migrations left out): name -> (path, is a package)."""
    found = {}
    for app in STACK:
        for path in sorted((ROOT / app).rglob("*.py")):
            if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                continue
            name, is_package = module_name(path)
            found[name] = (path, is_package)
    return found


def imported(name: str, path: Path, is_package: bool):
    """Every name an import statement anywhere in the module (top level or inside a function) reads."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield from (f"{module}.{alias.name}" for alias in node.names)


def own_module(name: str) -> str | None:
    """The module of the apps that an imported name lives in (itself, or the nearest package)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def packages_run(name: str, importer: str) -> set[str]:
    """The packages whose __init__ Python runs on the way to module ``name``, leaving out those the
    importer is inside (already running): importing targets.findings.rules from targets.models runs
    targets/findings/__init__.py, and with it everything that package re-exports."""
    known = modules()
    parts = name.split(".")
    return {
        package
        for package in (".".join(parts[:i]) for i in range(1, len(parts)))
        if package in known and not f"{importer}.".startswith(f"{package}.")
    }


@functools.cache
def graph() -> dict[str, frozenset[str]]:
    edges = {}
    for name, (path, is_package) in modules().items():
        targets = {own_module(imported_name) for imported_name in imported(name, path, is_package)}
        targets |= {package for target in targets if target for package in packages_run(target, name)}
        edges[name] = frozenset(t for t in targets if t and t != name)
    return edges


def circles(edges: dict[str, frozenset[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan), as sorted tuples."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_it_reads_every_import_of_the_apps():
    edges = graph()
    assert "targets.models" in edges["targets.findings.upkeep"]
    assert "targets.findings.rules" in edges["targets.findings.upkeep"]
    # a lazy import inside a function counts too
    assert "targets.findings.rounds" in edges["targets.headlines"]
    # and so does the package Python runs first: targets/findings/__init__.py re-exports the service
    assert "targets.findings" in edges["targets.headlines"]
    assert "targets.findings" not in edges["targets.findings.upkeep"]


def app_circles(app: str) -> set[tuple[str, ...]]:
    def in_app(name: str) -> bool:
        return name.split(".")[0] == app

    return circles({name: frozenset(filter(in_app, edges)) for name, edges in graph().items() if in_app(name)})


@pytest.mark.parametrize("app", WITHOUT_CIRCLES)
def test_an_apps_modules_import_each_other_without_circles(app):
    assert app_circles(app) - KNOWN_CIRCLES == set()


def test_no_circle_is_allowed_that_no_longer_exists():
    found = set().union(*(app_circles(app) for app in WITHOUT_CIRCLES))
    assert found >= KNOWN_CIRCLES, "remove the circle from KNOWN_CIRCLES: it is gone"


@pytest.mark.parametrize("app", STACK[:-1])
def test_the_apps_form_a_one_way_stack(app):
    higher = STACK[STACK.index(app) + 1 :]
    upward = sorted(
        f"{name} -> {other}"
        for name, edges in graph().items()
        if name.split(".")[0] == app
        for other in edges
        if other.split(".")[0] in higher
    )
    assert upward == []


def modules_of_tests(app: str) -> list[Path]:
    """Every module of the app's tests/ folder (helpers and factories included)."""
    return sorted((ROOT / app / "tests").rglob("*.py"))


def upward_imports_of_tests(app: str) -> list[str]:
    higher = STACK[STACK.index(app) + 1 :]
    found = set()
    for path in modules_of_tests(app):
        name, is_package = module_name(path)
        for imported_name in imported(name, path, is_package):
            if imported_name.split(".")[0] in higher:
                found.add(f"{path.relative_to(ROOT / app).as_posix()} -> {imported_name.rpartition('.')[0] or imported_name}")
    return sorted(found)


def test_it_reads_the_imports_of_the_tests():
    # projects' tests use targets' factories: an import of a lower app, read like any other.
    assert any(path.name == "factories.py" for path in modules_of_tests("projects"))
    found = set()
    for path in modules_of_tests("projects"):
        name, is_package = module_name(path)
        found.update(imported(name, path, is_package))
    assert "targets.tests.factories.PlanFactory" in found


@pytest.mark.parametrize("app", STACK[:-1])
def test_an_apps_tests_import_no_higher_app(app):
    assert [line for line in upward_imports_of_tests(app) if line not in TESTS_ALLOWED_UPWARD] == []


def test_no_test_import_is_allowed_that_no_longer_exists():
    found = set().union(*(upward_imports_of_tests(app) for app in STACK[:-1]))
    assert found >= TESTS_ALLOWED_UPWARD, "remove the import from TESTS_ALLOWED_UPWARD: it is gone"


# --- module size ----------------------------------------------------------------------------------

LONG, TOO_LONG = 400, 600  # lines: over LONG only with the reason at the top, never over TOO_LONG


def runtime_modules() -> list[Path]:
    """Every module of the apps and config/ that is not a test or a migration."""
    paths = []
    for app in (*STACK, "config"):
        paths += [
            path for path in sorted((ROOT / app).rglob("*.py")) if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
        ]
    return paths


def test_no_module_is_over_600_lines():
    too_long = [f"{p.relative_to(ROOT)}: {n}" for p in runtime_modules() if (n := len(p.read_text().splitlines())) > TOO_LONG]
    assert too_long == []


def test_a_module_over_400_lines_says_why_at_its_top():
    # The reason stands in the module's first 60 lines: "Over 400 lines ..." (its docstring or a comment).
    silent = [
        str(path.relative_to(ROOT))
        for path in runtime_modules()
        if len(lines := path.read_text().splitlines()) > LONG and not any("Over 400 lines" in line for line in lines[:60])
    ]
    assert silent == []
