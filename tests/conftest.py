"Shared pytest set-up: headless figures, one BLAS thread per pytest worker (two workers share two cores)."
import os, tempfile
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
# Figures drawn by the notebooks under test go to a temporary folder, never into the checkout (see 00_core).
os.environ.setdefault("MLABS_FIGURES", tempfile.mkdtemp(prefix="mlabs-figures-"))
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture
def root() -> Path: return ROOT
