"""Every notebook in nbs/ runs top to bottom as one pytest test (cells flagged `notest` or `slow` are skipped), with a
temporary folder of its own as Python's default (`tempfile.tempdir`), which must be empty when it ends: a notebook
removes what it writes there. Two names are not the notebook's: `pymp-*` (multiprocessing's folder, removed when
the process exits) and `torchinductor_*` (torch's compile cache)."""
import tempfile
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb   # renamed so pytest does not collect it

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/"nbs").glob("*.ipynb") if not p.name.startswith(("_", ".")))
NOT_THE_NOTEBOOKS = ("pymp-", "torchinductor_")


def left_behind(folder: Path) -> list[str]:
    "What is left in a notebook's temporary folder, without the names that belong to Python and torch."
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(NOT_THE_NOTEBOOKS))


def test_left_behind(tmp_path):
    for name in ("pymp-abc", "torchinductor_root", "tmpx1y2", "mlabs-store"): (tmp_path/name).mkdir()
    assert left_behind(tmp_path) == ["mlabs-store", "tmpx1y2"]


@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_notebook(nb: Path, tmp_path: Path):
    flags = get_config(path=ROOT).tst_flags.split()
    own, old = tmp_path/"tmp", tempfile.tempdir
    own.mkdir()
    tempfile.tempdir = str(own)
    try: ok, secs = run_nb(nb, skip_flags=flags, basepath=str(ROOT))
    finally: tempfile.tempdir = old
    assert ok, f"{nb.name} failed (its traceback is printed above)"
    assert not left_behind(own), f"{nb.name} left temporary files behind: {left_behind(own)}"
