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
# The docs site that tests/test_docs.py and tests/test_browser.py share (tests/docsite.py) is built once per session
# under a key set here, before pytest-xdist starts its workers, and removed by this process at the end.
if "MLABS_DOCS_KEY" not in os.environ:
    import atexit, shutil, uuid
    os.environ["MLABS_DOCS_KEY"] = uuid.uuid4().hex[:12]
    atexit.register(shutil.rmtree, os.path.join(tempfile.gettempdir(), f"mlabs-docs-{os.environ['MLABS_DOCS_KEY']}"), True)
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture
def root() -> Path: return ROOT
