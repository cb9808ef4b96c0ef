"""The dependency rule, checked on the code's own imports (every import, at module level or inside a function).

core ← extractors ← discover/fetch/parse ← store ← query ← run ← flows ← cli: a module may import its
own layer and the layers to its left, never one to its right, and no two modules of ``pipeline/`` may
import each other, directly or round a longer circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "extractors", "models", "flows")

LAYERS: dict[str, int] = {
    "pipeline": 0,  # the root package: a docstring only
    "pipeline.core": 0,
    "extractors": 1,
    "pipeline.discover": 2,
    "pipeline.fetch": 2,
    "pipeline.parse": 2,
    "models": 3,
    "pipeline.store": 3,
    "pipeline.query": 4,
    "pipeline.run": 5,
    "flows": 6,
    "pipeline.cli": 7,
}


def layer_of(module: str) -> tuple[str, int]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and to the README's map")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if "migrations" not in p.parts}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that a file imports (``from a.b import c`` names module ``a.b.c`` when that is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                     for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] in PACKAGES)
    return found


def test_every_import_points_down_the_layers() -> None:
    modules = all_modules()
    wrong = []
    for name, path in sorted(modules.items()):
        source_layer, source_rank = layer_of(name)
        for target in sorted(imports_of(path, modules)):
            target_layer, target_rank = layer_of(target)
            if target_rank > source_rank:
                wrong.append(f"{name} ({source_layer}) imports {target} ({target_layer})")
    assert wrong == []


def test_no_import_cycle_inside_pipeline() -> None:
    modules = all_modules()
    graph = {name: {t for t in imports_of(path, modules) if t in modules and t != name}
             for name, path in modules.items() if name.startswith("pipeline")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if not nxt.startswith("pipeline"):
                continue
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("bad, layer", [("pipeline.cli.app", 7), ("pipeline.core.text", 0), ("extractors.lib.nlp", 1)])
def test_layer_of_names_the_layer(bad: str, layer: int) -> None:
    assert layer_of(bad)[1] == layer


def test_a_module_outside_the_map_is_reported() -> None:
    with pytest.raises(AssertionError, match="no layer"):
        layer_of("benchmarks.bench_extract")
