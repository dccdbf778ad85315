"""The direction of dependencies, read from the source with `ast` (nothing is imported):
`shared/` is the kernel and imports neither `services/` nor `ops/` (not even lazily inside a
function, nor by path); a service imports no other service and not `ops/`, the operator's
tools above them; and no module reaches itself again through its imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "services", "ops")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = sources()


def imported(name: str, path: Path) -> Iterator[str]:
    """Every module of ours that `name` imports, at any depth of its code (a function's lazy
    import counts: it runs too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from pkg import mod` imports the module pkg.mod when there is one.
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in PACKAGES:
                yield target


GRAPH = {name: sorted(set(imported(name, path))) for name, path in MODULES.items()}


def top(name: str) -> str:
    return name.split(".")[0]


def service(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def test_the_graph_is_read_from_every_package() -> None:
    """Guards the tests below: a broken reader must not make them vacuous."""
    assert {top(name) for name in MODULES} == set(PACKAGES)
    assert "shared.eventstore" in GRAPH["shared.relay"]
    assert "shared.openapi" in GRAPH["services.intake.openapi"]
    assert "services.intake.openapi" in GRAPH["ops.openapi"]


def test_shared_imports_neither_the_services_nor_the_operator_s_tools() -> None:
    wrong = [(name, target) for name, targets in GRAPH.items() if top(name) == "shared"
             for target in targets if top(target) != "shared"]  # fmt: skip
    assert not wrong, f"shared/ is the kernel; these reach above it: {wrong}"


@pytest.mark.parametrize("name", [n for n in MODULES if top(n) == "shared"])
def test_shared_does_not_reach_the_services_by_path(name: str) -> None:
    """A string naming the services' folder or modules (e.g. to find their files) is an import
    by another route."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    above = ("services", "ops")
    prefixes = tuple(f"{package}{sep}" for package in above for sep in "./")
    named = [s for s in strings if isinstance(s, str) and (s in above or s.startswith(prefixes))]
    assert not named, f"{name} names {named}"


def test_no_service_imports_another_or_the_operator_s_tools() -> None:
    def foreign(name: str, target: str) -> bool:
        return top(target) == "ops" or service(target) not in (None, service(name))

    wrong = [(name, target) for name, targets in GRAPH.items() if service(name)
             for target in targets if foreign(name, target)]  # fmt: skip
    assert not wrong, f"a service stands on shared/ alone: {wrong}"


def test_no_module_imports_itself_through_others() -> None:
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in GRAPH.get(name, []):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_event_envelope_does_not_pull_in_the_metrics() -> None:
    """Every domain module imports `Event`; what the envelope imports stays clear of
    prometheus_client (the correlation id is in a standard-library-only module)."""
    reached, todo = set(), ["shared.events"]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += GRAPH.get(name, [])
    metrics = [name for name in reached
               if "prometheus_client" in MODULES[name].read_text(encoding="utf-8")]  # fmt: skip
    assert "shared.correlation" in reached
    assert not metrics, f"shared.events reaches prometheus_client through {metrics}"
