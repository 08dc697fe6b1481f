"""`make report` regenerates every committed table byte for byte: each grid's tables under results/<name>/tables are
what `mlabs.report.report` computes today from the grid's records in the one store (figures go to a temporary folder)."""
from pathlib import Path
import pytest
from mlabs.config import load_grid
from mlabs.report import report

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT/"results"
GRIDS = [n for n in ("quick", "cpu", "benchmark", "converged") if (STORE/n/"tables"/"report.md").exists()]


@pytest.mark.parametrize("name", GRIDS)
def test_committed_tables_are_regenerated(name, tmp_path):
    keys = [c.key for c in load_grid(ROOT/"configs"/f"{name}.toml")]
    out = report(STORE, figures_dir=tmp_path/"figs", tables_dir=tmp_path/"tables", keys=keys, name=name)
    committed = sorted(p.name for p in (STORE/name/"tables").iterdir())
    assert sorted(p.name for p in (tmp_path/"tables").iterdir()) == committed
    for f in committed:
        assert (tmp_path/"tables"/f).read_bytes() == (STORE/name/"tables"/f).read_bytes(), f"{name}/{f} differs"
