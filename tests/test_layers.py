"""The modules of `mlabs` form layers: a module may import only modules listed before it in `LAYERS`.

Every `import` and `from ... import` under `mlabs/` is read with `ast` (also those inside functions, which run
later but still tie the modules together), as is a literal name passed to `importlib.import_module`. The test fails
on a module missing from `LAYERS` (a new module must be placed in the order on purpose), on an import that points
up the list, and on any import cycle.
"""
import ast
import graphlib
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "mlabs"

# Bottom to top. `mlabs` (the package: its docstring, its version, and `__getattr__`, which imports a public name from
# its module when it is first asked for, so at run time only) and `mlabs._modidx` (nbdev's index) import nothing.
LAYERS = [
    "mlabs", "mlabs._modidx",
    "mlabs.core", "mlabs.strategies", "mlabs.arff", "mlabs.data", "mlabs.imbalance", "mlabs.losses", "mlabs.local", "mlabs.samplers", "mlabs.chain",
    "mlabs.alternatives", "mlabs.successors", "mlabs.selection", "mlabs.distributed", "mlabs.integrations", "mlabs.integrations.lightning",
    "mlabs.convergence", "mlabs.metrics",
    "mlabs.models.base", "mlabs.models.c2ae", "mlabs.models.mpvae", "mlabs.models.paca", "mlabs.models.clif",
    "mlabs.models.dela", "mlabs.models",
    "mlabs.train", "mlabs.folds", "mlabs.config", "mlabs.store", "mlabs.runner", "mlabs.cv", "mlabs.ray_grid", "mlabs.stats", "mlabs.budgets", "mlabs.report", "mlabs.bench", "mlabs.cli",
]
RANK = {m: i for i, m in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    "Dotted module name of a file under mlabs/ (a package's __init__.py is the package)."
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__": parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(mod: str, is_pkg: bool, level: int, target: str|None) -> str:
    "Absolute name of a (possibly relative) `from` target seen in module `mod`."
    if level == 0: return target or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports_of(mod: str, path: Path, known: set[str]) -> set[str]:
    "The mlabs modules that `mod` imports anywhere in its file."
    tree = ast.parse(path.read_text(), filename=str(path))
    is_pkg = path.name == "__init__.py"
    out = set()
    def add(name: str):
        # `import mlabs.a.b` also runs mlabs.a; the dependency that matters is the deepest module named
        if name == "mlabs" or name.startswith("mlabs."): out.add(name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names: add(a.name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(mod, is_pkg, node.level, node.module)
            for a in node.names:
                sub = f"{target}.{a.name}"
                add(sub if sub in known else target)   # `from mlabs.models import c2ae` imports the submodule
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            add(node.args[0].value)
    out.discard(mod)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports_of(m, p, set(mods)) for m, p in mods.items()}


def test_every_module_is_placed():
    unknown = sorted(set(modules()) - set(RANK))
    assert not unknown, f"modules not placed in LAYERS (tests/test_layers.py): {unknown}"


def test_imports_point_down():
    bad = [f"{m} imports {d}" for m, deps in graph().items() for d in sorted(deps)
           if m in RANK and (d not in RANK or RANK[d] >= RANK[m])]
    assert not bad, "imports that point up the layers (or to unplaced modules):\n" + "\n".join(bad)


def test_no_cycles():
    try: list(graphlib.TopologicalSorter(graph()).static_order())
    except graphlib.CycleError as e: pytest.fail(f"import cycle: {' -> '.join(e.args[1])}")


# The checker itself, on small fake packages, so that a test that cannot fail is not mistaken for one that passes.
def _fake(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for rel, src in files.items():
        p = tmp_path / rel; p.parent.mkdir(parents=True, exist_ok=True); p.write_text(src)
    mods = {}
    for p in sorted((tmp_path / "mlabs").rglob("*.py")):
        parts = list(p.relative_to(tmp_path).with_suffix("").parts)
        if parts[-1] == "__init__": parts = parts[:-1]
        mods[".".join(parts)] = p
    return {m: imports_of(m, p, set(mods)) for m, p in mods.items()}


def test_checker_sees_every_kind_of_import(tmp_path):
    g = _fake(tmp_path, {
        "mlabs/__init__.py": "",
        "mlabs/data.py": "def f():\n    from mlabs.selection import x\n    return x\n",
        "mlabs/local.py": "from . import data\nfrom .imbalance import irlbl\nimport numpy\n",
        "mlabs/imbalance.py": "import importlib\nm = importlib.import_module('mlabs.chain')\n",
        "mlabs/models/__init__.py": "from . import c2ae\nfrom .base import B\n",
        "mlabs/models/base.py": "",
        "mlabs/models/c2ae.py": "from ..selection import s\nimport mlabs.models.base\n",
        "mlabs/selection.py": "", "mlabs/chain.py": "",
    })
    assert g["mlabs.data"] == {"mlabs.selection"}                      # inside a function
    assert g["mlabs.local"] == {"mlabs.data", "mlabs.imbalance"}       # relative, numpy ignored
    assert g["mlabs.imbalance"] == {"mlabs.chain"}                     # importlib with a literal name
    assert g["mlabs.models"] == {"mlabs.models.c2ae", "mlabs.models.base"}
    assert g["mlabs.models.c2ae"] == {"mlabs.selection", "mlabs.models.base"}


def test_checker_finds_cycles_and_upward_imports(tmp_path):
    g = _fake(tmp_path, {"mlabs/__init__.py": "", "mlabs/samplers.py": "from .chain import AdaCSampler\n",
                         "mlabs/chain.py": "from .samplers import AdaptiveSampler\n"})
    with pytest.raises(graphlib.CycleError): list(graphlib.TopologicalSorter(g).static_order())
    up = [(m, d) for m, deps in g.items() for d in deps if RANK[d] >= RANK[m]]
    assert up == [("mlabs.samplers", "mlabs.chain")]
