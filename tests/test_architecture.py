"""The house's rules (docs/architecture.md), checked on the source tree.

import-linter checks the layers; it cannot tell a module-level import from one inside a function,
so cycles, lazy imports and module sizes are checked here from the syntax tree.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "nlp", "indexer", "crawler", "accounts", "demo", "alerts", "reply_scripts", "briefings", "cases", "knowledge",
            "rectification", "reports", "tousu", "dashboard")
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (a name imported from a package may be a submodule)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _top_level_imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + [base]).strip(".")
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target and target != module and not module.startswith(target + "."):
                found.add(target)
    return found


def test_layers_hold_by_import_linter():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_level_import_cycle():
    modules = _modules()
    graph = {m: _top_level_imports(p, m, modules) for m, p in modules.items()}
    # Tarjan's strongly connected components; any component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in graph:
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_imports_inside_functions_are_lazy_on_purpose():
    """An import inside a function is allowed only for a heavy module, with a `lazy:` comment."""
    offenders = []
    for module, path in _modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) and "lazy:" not in lines[inner.lineno - 1]:
                    offenders.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    assert not offenders, "\n".join(offenders)


def test_no_module_over_500_lines():
    long = [f"{path.relative_to(ROOT)}: {n}" for path in _modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, long


# Modules that need no test file of their own, each with the reason.
UNMIRRORED = {
    "tousu/cli/__main__.py": "two lines that hand `python -m tousu.cli` to main.app",
    "core/vocab.py": "pure data (tiers, levels, categories); every reader's tests use it",
    "crawler/items.py": "a dataclass without behaviour; every spider's tests read it",
}


def _mirror(path: Path) -> Path | None:
    """The test file a module needs: `pkg/sub/mod.py` → `tests/pkg/sub/test_mod.py`; a package's
    `__init__.py` that defines a function or class → `tests/pkg/test_init.py`; re-exports need none."""
    relative = path.relative_to(ROOT)
    if path.name == "__init__.py":
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for node in tree.body):
            return None
        return ROOT / "tests" / relative.parent / "test_init.py"
    return ROOT / "tests" / relative.parent / f"test_{path.stem}.py"


def test_every_module_has_its_own_test_file():
    missing = []
    for path in _modules().values():
        relative = path.relative_to(ROOT).as_posix()
        mirror = _mirror(path)
        if mirror is not None and relative not in UNMIRRORED and not mirror.exists():
            missing.append(f"{relative} → {mirror.relative_to(ROOT)}")
    assert not missing, f"{len(missing)} modules without their test file:\n" + "\n".join(missing)


def test_allow_list_names_only_existing_modules_without_tests():
    stale = [name for name in UNMIRRORED
             if not (ROOT / name).exists() or (_mirror(ROOT / name) or ROOT).is_file()]
    assert not stale, stale
