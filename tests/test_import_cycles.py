"""No import cycle between nnviz modules, counting the imports made inside functions.

An import inside a function hides a cycle from Python (the module loads) but not from a reader:
the two modules still need each other. Imports under ``if TYPE_CHECKING:`` are left out, as they
never run.
"""

from __future__ import annotations

import ast
import pathlib

import nnviz

PACKAGE = pathlib.Path(nnviz.__file__).parent

#: Imports (importer, imported) that close a known cycle and are being removed on other
#: branches; the test looks for cycles without them. Each must still exist (the test fails once
#: one is gone, so its entry is deleted with it).
#: Edges left out of the search while a cycle is being removed (none now: keep it empty).
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, pathlib.Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of the nodes under `if TYPE_CHECKING:` (never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imports_of(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """The nnviz modules `name` imports anywhere in its file (top level or in functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_blocks(tree)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package upwards
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # `from nnviz.core import session` imports the submodule; `from nnviz.core
                # import Network` the package.
                found.add(sub if sub in known else target)
    # `import nnviz.core.x` names a module; anything else (numpy, PySide6) is not ours.
    result = set()
    for target in found:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            result.add(target)
    return result


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _path(graph: dict[str, set[str]], component: frozenset[str]) -> str:
    """One loop through the component, for the failure message: a -> b -> ... -> a."""
    start = min(component)
    trail, seen = [start], {start}
    node = start
    while True:
        nxt = sorted(graph[node] & component)
        back = [n for n in nxt if n == start]
        if back and len(trail) > 1:
            return " -> ".join([*trail, start])
        fresh = [n for n in nxt if n not in seen]
        if not fresh:
            return " <-> ".join(sorted(component))
        node = fresh[0]
        trail.append(node)
        seen.add(node)


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    # cli imports the window's entry point inside open_window() only
    assert "nnviz.gui.app" in graph["nnviz.cli"]
    assert "nnviz.commands.parser" in graph["nnviz.cli"]


def test_cycle_finder() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    assert _path(graph, frozenset({"a", "b", "c"})) == "a -> b -> c -> a"


def test_no_import_cycles_between_nnviz_modules() -> None:
    graph = import_graph()
    gone = sorted(f"{a} -> {b}" for a, b in KNOWN_CYCLE_EDGES if b not in graph.get(a, ()))
    assert not gone, f"no longer imported, delete from KNOWN_CYCLE_EDGES: {gone}"
    for a, b in KNOWN_CYCLE_EDGES:
        graph[a] = graph[a] - {b}
    found = [_path(graph, c) for c in cycles(graph)]
    assert not found, "import cycles: " + "; ".join(sorted(found))
