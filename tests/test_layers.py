"""The layers point one way: core ← catalog ← comparisons ← news.

Read from the source with ``ast``, every import anywhere in a module (function-level ones
too): a lower layer never imports a higher one, and no modules import each other in a
circle. ``core`` knows no app: apps register what it needs in ``AppConfig.ready()``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lower number, lower layer. comparisons and news sit on the catalog; news may use
# comparisons (the home page's popular comparisons), never the other way round.
LAYERS = {"core": 0, "catalog": 1, "comparisons": 2, "news": 3}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path, name=None):
    """The project modules ``path`` (module ``name``) imports, each with its line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            found.append((target, node.lineno))
            # "from catalog import outlines" imports the module catalog.outlines.
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return [(target, line) for target, line in found if target.split(".")[0] in LAYERS]


def project_modules():
    modules = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def test_every_app_is_read():
    modules = project_modules()
    for app in LAYERS:
        assert f"{app}.models" in modules or app == "core" and "core.content" in modules


def upward_imports(modules):
    """ "<module>:<line> imports <target>" for each import of a higher layer."""
    wrong = set()
    for name, path in modules.items():
        own = LAYERS[name.split(".")[0]]
        for target, line in imports_of(path, name):
            if LAYERS[target.split(".")[0]] > own:
                wrong.add(f"{name}:{line} imports {target}")
    return sorted(wrong)


def test_no_module_imports_a_higher_layer():
    wrong = upward_imports(project_modules())
    assert not wrong, "Imports that point up a layer:\n" + "\n".join(wrong)


def find_cycle(graph):
    """A list of nodes forming a circle in ``graph`` ({node: {node}}), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if state.get(other) == "open":
                return [*stack[stack.index(other) :], other]
            if other not in state and (cycle := visit(other)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_circle():
    modules = project_modules()
    graph = {
        name: {target for target, _ in imports_of(path) if target in modules and target != name}
        for name, path in modules.items()
    }
    # A package's __init__ importing its own modules is how packages are made, not a circle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(f"{t}.")}
    cycle = find_cycle(graph)
    assert cycle is None, "Import circle: " + " → ".join(cycle)


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ],
)
def test_the_circle_finder_finds_circles(graph, expected):
    assert find_cycle(graph) == expected


def test_an_upward_import_is_named(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\n\n\ndef f():\n    from news.models import Article\n")
    assert upward_imports({"catalog.probe": probe}) == [
        "catalog.probe:5 imports news.models",
        "catalog.probe:5 imports news.models.Article",
    ]
    assert upward_imports({"news.probe": probe}) == []
