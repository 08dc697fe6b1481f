"""The built wheel works outside a checkout: build it, install it into an empty folder, and load bundled data sets
from a subprocess that sees only that folder (not the repository) and runs elsewhere.

The core install (no extra) is checked in two halves, without building a whole environment (a fresh venv would
install torch's 800 MB wheel for every run of the test):
- what pip would install for the wheel and its core dependencies: `pip install --dry-run --report` resolves the
  whole tree from the wheel's metadata (from the package index pip is set up with; skipped when pip cannot reach
  one, except in CI), and none of the experiments', docs' or JupyterLab's packages is in it;
- the library without those packages: the installed wheel runs a sampler, a data set, a model and a
  cross-validation in a Python started without its site-packages (`-S`), on a copy of this environment's
  site-packages made of links to every entry except pandas, matplotlib, seaborn, tqdm, IPython, nbdev, JupyterLab
  and Ray (and their metadata): to that interpreter they are not installed (a hook that makes their import fail
  is not the same: torch probes for pandas with `find_spec`). The core's own packages come from this environment.
"""
import functools, json, os, re, shutil, subprocess, sys, zipfile
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

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
needs_setuptools = pytest.mark.skipif(not _have_setuptools(), reason="building the wheel offline needs setuptools>=77 (in the dev extras)")

@functools.cache
def built_wheel() -> tuple[Path, Path]:
    "(the wheel, a folder it is installed in with --no-deps), built once per test process from a copy of the checkout."
    import tempfile
    tmp = Path(tempfile.mkdtemp(prefix="mlabs-wheel-"))
    src = tmp/"src"                            # build from a copy: the checkout gets no build/ or egg-info
    src.mkdir()
    for f in ("pyproject.toml", "README.md"): shutil.copy(ROOT/f, src/f)
    for d in ("mlabs", "data", "configs"): shutil.copytree(ROOT/d, src/d, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(PIP + ["wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(tmp/"dist")],
                   cwd=src, check=True, capture_output=True)
    (whl,) = (tmp/"dist").glob("mlabs-*.whl")
    site = tmp/"site"
    subprocess.run(PIP + ["install", "--no-deps", "--target", str(site), str(whl)], check=True, capture_output=True)
    return whl, site

@pytest.fixture(scope="module")
def wheel():
    whl, site = built_wheel()
    yield whl, site
    shutil.rmtree(whl.parents[1], ignore_errors=True)

@needs_setuptools
def test_wheel_loads_bundled_data_outside_checkout(tmp_path, wheel):
    whl, site = wheel
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

# --- the core install: no extra ---------------------------------------------------------------------------------

CORE = {"numpy", "scipy", "scikit-learn", "torch", "fastcore", "iterative-stratification"}
# what the extras bring and a user of the samplers must not be made to install
NOT_CORE = {"pandas", "matplotlib", "seaborn", "tqdm", "jupyterlab", "jupyter-server", "notebook", "ipykernel",
            "ipython", "nbdev", "execnb", "mkdocs", "mkdocs-material", "playwright", "ray", "pytest"}
HIDDEN = ["pandas", "matplotlib", "mpl_toolkits", "pylab", "seaborn", "tqdm", "IPython", "ipykernel", "ipywidgets",
          "nbdev", "execnb", "jupyterlab", "jupyter_server", "notebook", "ray", "mkdocs", "material", "playwright"]

def _norm(name: str) -> str: return re.sub(r"[-_.]+", "-", name).lower()

@needs_setuptools
def test_core_requirements_are_the_core(wheel):
    "The wheel's unconditional requirements are exactly the core; every other package sits behind an extra."
    whl, _ = wheel
    with zipfile.ZipFile(whl) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    reqs = re.findall(r"^Requires-Dist: (.+)$", meta, re.M)
    core = {_norm(re.match(r"[A-Za-z0-9._-]+", r)[0]) for r in reqs if "extra ==" not in r}
    assert core == CORE, core
    extras = set(re.findall(r"^Provides-Extra: (\S+)$", meta, re.M))
    assert {"experiments", "docs", "lab", "test", "ray", "dev"} <= extras, extras

@needs_setuptools
def test_core_resolution_has_no_extras(wheel, tmp_path):
    """What `pip install mlabs` (no extra) installs into an empty environment, resolved by pip without installing:
    the core and their own dependencies, none of the experiments', docs', JupyterLab's or Ray's packages."""
    whl, _ = wheel
    report = tmp_path/"report.json"
    r = subprocess.run(PIP + ["install", "--dry-run", "--ignore-installed", "--report", str(report), str(whl)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode:
        if os.environ.get("CI"): raise AssertionError(r.stderr[-3000:])
        pytest.skip(f"pip could not resolve the wheel's dependencies (no package index?): {r.stderr[-300:]}")
    names = {_norm(i["metadata"]["name"]) for i in json.loads(report.read_text())["install"]}
    print(f"core install: {len(names)} packages: {sorted(names)}")
    assert CORE | {"mlabs"} <= names, CORE - names
    assert not names & NOT_CORE, names & NOT_CORE

CORE_SCRIPT = """
import json, sys
HIDDEN = %r
import numpy as np, torch
import mlabs.selection
from mlabs import SelectionSampler, IndexedDataset, load_dataset, local_imbalance, instance_weights, get_model, evaluate
from mlabs import cross_validate
assert mlabs.selection.__file__.startswith(%r), mlabs.selection.__file__
torch.manual_seed(0); torch.set_num_threads(1)
ds = load_dataset("yeast").scaled()
tr, te = np.arange(0, 600), np.arange(600, 800)
w = instance_weights(local_imbalance(ds.X[tr], ds.Y[tr], k=5), ds.Y[tr])
s = SelectionSampler(len(tr), batch_size=64, strategy="adaptive", se=8, weights=w, warmup_epochs=0, seed=0)
loader = torch.utils.data.DataLoader(IndexedDataset(ds.to_torch_dataset(tr)), batch_sampler=s)
model = get_model("dela", ds.d, ds.q); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    s.set_epoch(epoch)
    for i, xb, yb in loader:
        total, bce = model.loss(model(xb, yb), yb)
        opt.zero_grad(); total.backward(); opt.step(); s.update(i, bce.detach())
xt, yt = ds.to_tensors(te)
m = evaluate(yt.numpy(), model.predict_proba(xt).detach().numpy())
bib = load_dataset("bibtex")                   # sparse: CSR rows to a Dataset
xb0, yb0 = bib.to_torch_dataset([0, 1])[1]
recs = cross_validate("yeast", "dela", run_folds=[0], epochs=2, warmup_epochs=1)
hidden = sorted(h for h in HIDDEN if h in sys.modules)
print(json.dumps(dict(auc=m["macro_auc"], row=list(xb0.shape), strategies=sorted(r["config"]["strategy"] for r in recs),
                      hidden=hidden)))
"""

def site_without(hidden: list[str], dst: Path) -> Path:
    "A folder of links to every entry of this environment's site-packages except the `hidden` packages' own."
    import sysconfig
    src = Path(sysconfig.get_paths()["purelib"])
    dst.mkdir()
    drop = {_norm(h) for h in hidden}
    for e in src.iterdir():
        top = _norm(e.name.split("-")[0] if e.suffix in (".dist-info", ".egg-info") else e.stem if e.suffix == ".py" else e.name)
        if top in drop or e.suffix == ".pth" or e.name.startswith("__editable__"): continue
        (dst/e.name).symlink_to(e)
    return dst

@needs_setuptools
def test_core_runs_without_the_extras(wheel, tmp_path):
    "The installed wheel samples, trains and cross-validates where the extras' packages are not installed."
    _, site = wheel
    base = site_without(HIDDEN, tmp_path/"site-packages")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MLABS_DATA")}
    env.update(PYTHONPATH=f"{site}{os.pathsep}{base}", MLABS_CACHE=str(tmp_path/"cache"), HOME=str(tmp_path),
               OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-S", "-c", CORE_SCRIPT % (HIDDEN, str(site))], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert 0.5 < out["auc"] <= 1, out                          # the model learnt something in two epochs
    assert out["row"] == [1836], out                           # a bibtex row, densified
    assert out["strategies"] == ["adaptive", "random"], out    # one fold, both arms
    assert out["hidden"] == [], out                            # none of the extras' packages got imported
    r2 = subprocess.run([sys.executable, "-S", "-c", "import pandas"], env=env, capture_output=True, text=True)
    assert "No module named 'pandas'" in r2.stderr            # to that interpreter, pandas is not installed
