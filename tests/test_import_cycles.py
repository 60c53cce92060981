"""No module of gtui imports itself back, directly or through others.

Imports under ``if TYPE_CHECKING:`` and inside functions count too: a cycle that only the
type checker or a late call walks is still a cycle a reader has to untangle. The graph is
grimp's, the one import-linter checks the layer contracts on.
"""

from __future__ import annotations

import grimp


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import one another in a circle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
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
                    imported = sorted(graph.find_modules_directly_imported_by(child))
                    work.append((child, iter(imported)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def a_path(graph: grimp.ImportGraph, group: list[str]) -> str:
    """One circle through the group, as ``a -> b -> a``, to show in the failure."""
    first = group[0]
    for second in sorted(graph.find_modules_directly_imported_by(first)):
        if second in group:
            back = graph.find_shortest_chain(importer=second, imported=first)
            if back:
                return " -> ".join([first, *back])
    return ", ".join(group)


def test_strongly_connected_finds_a_circle_and_nothing_else() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c", "d"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert a_path(graph, ["a", "b", "c"]) == "a -> b -> c -> a"


def test_gtui_has_no_import_cycles() -> None:
    graph = grimp.build_graph("gtui", exclude_type_checking_imports=False)
    cycles = [a_path(graph, group) for group in strongly_connected(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
