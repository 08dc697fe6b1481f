"The library is what `nbdev-export` makes of the notebooks, and the notebooks are clean (`nbdev-clean`)."
import filecmp, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def _tree(d: Path) -> dict:
    return {p.relative_to(d): p.read_bytes() for p in sorted(d.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}

def test_export_and_clean_change_nothing(tmp_path):
    for f in ("pyproject.toml",): shutil.copy(ROOT/f, tmp_path/f)
    for d in ("nbs", "mlabs"): shutil.copytree(ROOT/d, tmp_path/d, ignore=shutil.ignore_patterns("__pycache__"))
    before = {d: _tree(tmp_path/d) for d in ("nbs", "mlabs")}
    for cmd in ("nbdev-export", "nbdev-clean"):
        subprocess.run([str(BIN/cmd)], cwd=tmp_path, check=True, capture_output=True)
    after = {d: _tree(tmp_path/d) for d in ("nbs", "mlabs")}
    for d in before:
        changed = sorted(str(k) for k in set(before[d]) | set(after[d]) if before[d].get(k) != after[d].get(k))
        assert not changed, f"nbdev-export/nbdev-clean change {d}/: {changed}; run `make sync` and commit"
