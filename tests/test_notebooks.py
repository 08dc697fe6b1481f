"Every notebook in nbs/ runs top to bottom as one pytest test (cells flagged `notest` or `slow` are skipped)."
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb   # renamed so pytest does not collect it

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/"nbs").glob("*.ipynb") if not p.name.startswith(("_", ".")))

@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_notebook(nb: Path):
    flags = get_config(path=ROOT).tst_flags.split()
    ok, secs = run_nb(nb, skip_flags=flags, basepath=str(ROOT))
    assert ok, f"{nb.name} failed (its traceback is printed above)"
