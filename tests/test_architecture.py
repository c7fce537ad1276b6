"""The layer import rule of docs/architecture.md, and complete, sorted ``__all__`` lists."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
from pathlib import Path

import pytest

import equitymetrics

SRC = Path(equitymetrics.__file__).parent

# Which layers each layer may import (besides itself and the leaf modules `exceptions` and
# `_version`, which every layer may use). Mirrors the table in docs/architecture.md.
ALLOWED: dict[str, set[str]] = {
    "stats": set(),
    "taxonomy": {"stats"},
    "loaders": {"taxonomy"},
    "aggregate": {"taxonomy"},
    "datasets": set(),
    "measures": {"stats", "taxonomy", "aggregate"},
    "disclosure": {"measures"},
    "config": {"taxonomy", "loaders", "measures", "disclosure"},
    "pipeline": {"config", "loaders", "measures", "disclosure", "aggregate", "taxonomy", "stats"},
    "plots": {"measures", "stats"},
    "report": {"measures", "disclosure", "plots", "config", "pipeline", "stats"},
    "cli": {"*"},
    "__init__": {"*"},
    "__main__": {"*"},
}
LEAVES = {"exceptions", "_version"}


def _layer_of(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0].removesuffix(".py")


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: use absolute imports (found a relative import)")
        for name in names:
            parts = name.split(".")
            if parts[0] == "equitymetrics" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULE_FILES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_layer_import_rule(path: Path) -> None:
    layer = _layer_of(path)
    if layer in LEAVES:
        assert _imported_layers(path) <= LEAVES, f"{path} is a leaf module and imports the package"
        return
    assert layer in ALLOWED, f"{layer!r} is a new layer: add it to ALLOWED and the docs"
    allowed = ALLOWED[layer]
    if "*" in allowed:
        return
    forbidden = _imported_layers(path) - allowed - LEAVES - {layer}
    assert not forbidden, f"{path.relative_to(SRC)} ({layer}) may not import {sorted(forbidden)}"


def _public_packages() -> list[types.ModuleType]:
    modules = [equitymetrics]
    for info in pkgutil.walk_packages(equitymetrics.__path__, "equitymetrics."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        modules.append(module)
    return modules


@pytest.mark.parametrize("module", _public_packages(), ids=lambda m: m.__name__)
def test_all_is_sorted_complete_and_resolvable(module: types.ModuleType) -> None:
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module.__name__} has no __all__"
    assert list(exported) == sorted(exported), f"{module.__name__}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{module.__name__}.__all__ has duplicates"
    for name in exported:
        assert hasattr(module, name), f"{module.__name__}.__all__ names missing {name!r}"
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and isinstance(value, type | types.FunctionType)
        and (
            value.__module__ == module.__name__
            or value.__module__.startswith(module.__name__ + "._")
        )
    }
    missing = public - set(exported)
    assert not missing, f"{module.__name__} defines public names not in __all__: {sorted(missing)}"
