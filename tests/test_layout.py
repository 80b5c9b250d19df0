"""The package's shape: a light import, no import cycles, notebooks shipped in the package."""

from __future__ import annotations

import ast
import importlib.resources
import subprocess
import sys
from pathlib import Path

import kpianalysis
from kpianalysis.kinds import REPORT_FAMILIES

SRC = Path(__file__).resolve().parents[1] / "src" / "kpianalysis"
HEAVY = ("IPython", "matplotlib", "papermill", "nbconvert", "scipy", "pandas")


def test_import_loads_no_notebook_plotting_or_statistics_stack():
    code = ("import sys, kpianalysis; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"import kpianalysis loaded {out}"


def test_public_names_resolve_lazily():
    for name in kpianalysis.__all__:
        assert getattr(kpianalysis, name) is not None, name


def _module_imports(path: Path, package: str) -> set[str]:
    """Modules of this package imported by ``path`` (top-level and function-local)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = package.split(".")
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts[: len(parts) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
            for alias in node.names:  # "from . import x" or "from .pkg import sub"
                found.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kpianalysis"):
            found.add(node.module)
    return found


def test_no_import_cycles():
    modules = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        name = ".".join(rel.parts)
        pkg = name if path.name != "__init__.py" else name.removesuffix(".__init__")
        name = pkg if path.name == "__init__.py" else name
        package = pkg if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        modules[name] = _module_imports(path, package)
    graph = {m: {d for d in deps if d in modules and d != m} for m, deps in modules.items()}
    # a package's __init__ re-exporting its own submodules is not a cycle
    for m in graph:
        graph[m] = {d for d in graph[m] if not d.startswith(m + ".")}
    graph.pop("kpianalysis", None)  # lazy re-exports only (no import at load time)
    for deps in graph.values():
        deps.discard("kpianalysis")
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            visit(d)
        stack.pop()

    for m in sorted(graph):
        visit(m)
    assert cycles == []


def test_every_report_family_notebook_ships_in_the_package():
    for notebook in [*REPORT_FAMILIES.values(), "scorecard.ipynb"]:
        assert (importlib.resources.files("kpianalysis") / "notebooks" / notebook).is_file()


def test_every_input_role_has_a_thai_label():
    from kpianalysis.inputs import _ROLE_TH
    from kpianalysis.kinds import KINDS

    roles = {r for spec in KINDS.values() for r in (*spec.roles, *spec.optional_roles)}
    assert roles <= set(_ROLE_TH), roles - set(_ROLE_TH)
