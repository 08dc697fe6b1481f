"Shared pytest set-up: headless figures, one BLAS thread per pytest worker (two workers share two cores)."
import os, tempfile
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
# Figures drawn by the notebooks under test go to a temporary folder, never into the checkout (see 00_core), removed
# when the session ends. pytest's own tmp_path folders are kept only for failed tests (pyproject.toml).
if "MLABS_FIGURES" not in os.environ:
    import atexit, shutil
    os.environ["MLABS_FIGURES"] = tempfile.mkdtemp(prefix="mlabs-figures-")
    atexit.register(shutil.rmtree, os.environ["MLABS_FIGURES"], True)
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture
def root() -> Path: return ROOT
