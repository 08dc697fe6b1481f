"""The built wheel works outside a checkout: build it, install it into an empty folder, and load bundled data sets
from a subprocess that sees only that folder (not the repository) and runs elsewhere."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {"yeast": (2417, 103, 14), "emotions": (593, 72, 6), "scene": (2407, 294, 6)}

SCRIPT = """
import json, sys
import mlabs, mlabs.data as d
from mlabs.cli import example_configs
out = {"mlabs": mlabs.__file__, "data_dir": str(d.data_dir()), "names": d.list_datasets(),
       "examples": {k: str(v) for k, v in example_configs().items()}}
for n in %r:
    ds = d.load_dataset(n)
    out[n] = [ds.n, ds.d, ds.q, int(ds.Y.sum()), str(ds.X.dtype), str(ds.Y.dtype)]
print(json.dumps(out))
"""

def _have_setuptools() -> bool:
    try: import setuptools
    except ImportError: return False
    return int(setuptools.__version__.split(".")[0]) >= 77

@pytest.mark.skipif(not _have_setuptools(), reason="building the wheel offline needs setuptools>=77 (in the dev extras)")
def test_wheel_loads_bundled_data_outside_checkout(tmp_path):
    src = tmp_path/"src"                       # build from a copy: the checkout gets no build/ or egg-info
    src.mkdir()
    for f in ("pyproject.toml", "README.md"): shutil.copy(ROOT/f, src/f)
    for d in ("mlabs", "data", "configs"): shutil.copytree(ROOT/d, src/d, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(tmp_path/"dist")],
                   cwd=src, check=True, capture_output=True)
    (whl,) = (tmp_path/"dist").glob("mlabs-*.whl")
    site = tmp_path/"site"
    subprocess.run(pip + ["install", "--no-deps", "--target", str(site), str(whl)], check=True, capture_output=True)
    elsewhere = tmp_path/"elsewhere"; elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MLABS_DATA")}
    env.update(PYTHONPATH=str(site), MLABS_CACHE=str(tmp_path/"cache"), HOME=str(elsewhere))
    r = subprocess.run([sys.executable, "-c", SCRIPT % list(EXPECTED)], cwd=elsewhere, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert Path(out["mlabs"]).is_relative_to(site), out["mlabs"]          # the installed copy, not the checkout
    assert Path(out["data_dir"]) == site/"mlabs"/"_bundled", out["data_dir"]
    assert len(out["names"]) == 14
    assert {"smoke", "quick", "cpu"} <= set(out["examples"])             # `mlabs init` has its examples in the wheel
    assert all(Path(p).is_relative_to(site/"mlabs"/"_configs") for p in out["examples"].values()), out["examples"]
    for n, (rows, d, q) in EXPECTED.items():
        assert out[n][:3] == [rows, d, q], (n, out[n])
        assert out[n][4:] == ["float32", "uint8"]
    assert out["emotions"][3] == 1108                                     # Card 1.8685 x 593 positives
    assert any((tmp_path/"cache").glob("yeast-*.npz"))                    # the cache went where it was told
