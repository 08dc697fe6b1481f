"README.md is generated from nbs/index.ipynb and must not go stale."
import subprocess, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]

def test_readme_is_current():
    r = subprocess.run([sys.executable, "tools/nb2md.py", "nbs/index.ipynb", "README.md", "--check"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
