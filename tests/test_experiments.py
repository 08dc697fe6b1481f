"""The experiment layer end to end: a real `mlabs grid` killed midway resumes without losing or repeating a run,
the same config gives the same record, a run does not depend on the order of the strategies of its fold, and bad
input ends in one line and a non-zero exit with nothing else lost. Everything runs on one torch thread."""
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
import torch
from mlabs import config as cfgs, store, runner
from mlabs.metrics import METRICS

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT/"configs"/"smoke.toml"
BIN = Path(sys.executable).parent/"mlabs"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

def mlabs(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=600, env=ENV, **kw)

def record_files(d: Path) -> list[Path]: return sorted((d/"records").glob("*.json"))

def assert_same_record(a: dict, b: dict, tol: float = 1e-6):
    "Equal configs, keys, best epochs and splits; metrics and loss curves equal to `tol`."
    assert a["key"] == b["key"] and a["config"] == b["config"] and a["best_epoch"] == b["best_epoch"]
    assert a["split"] == b["split"]
    for part in ("val", "test"):
        for m in METRICS: assert abs(a["metrics"][part][m] - b["metrics"][part][m]) <= tol, (part, m)
    for k in ("train_loss", "batch_loss"):
        np.testing.assert_allclose(a["history"][k], b["history"][k], rtol=0, atol=tol)
    assert a["history"]["minority_draws"] == b["history"]["minority_draws"]

@pytest.fixture(scope="module")
def smoke_configs() -> list: return cfgs.load_grid(SMOKE)

@pytest.fixture(scope="module")
def full_grid(tmp_path_factory, smoke_configs) -> Path:
    "The smoke grid run once, uninterrupted, by the command line."
    out = tmp_path_factory.mktemp("full")
    r = mlabs("grid", SMOKE, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert f"{len(smoke_configs)} runs: 0 already done, {len(smoke_configs)} run" in r.stdout
    return out

def test_smoke_config_shape(smoke_configs):
    "Two folds x (random, hard, adaptive, adac): 8 runs in 2 units of work, loss densities for random and adaptive."
    assert len(smoke_configs) == 8 and len({c.unit_key for c in smoke_configs}) == 2
    assert sorted(c.strategy for c in smoke_configs if c.loss_density_epochs) == ["adaptive"] * 2 + ["random"] * 2

def test_records_follow_the_format(full_grid, smoke_configs):
    recs = store.load_records(full_grid)
    assert sorted(r["key"] for r in recs) == sorted(c.key for c in smoke_configs)
    for r in recs:
        E, h = r["config"]["epochs"], r["history"]
        assert len(h["train_loss"]) == len(h["val_macro_auc"]) == len(h["time_step_s"]) == E
        n_batches = -(-r["split"]["n_train"] // 128)
        assert len(h["batch_loss"]) == E * n_batches
        # every epoch draws ceil(n/B) batches of B distinct samples (the last shuffled batch is shorter)
        drawn = np.sum([h["minority_draws"][g] for g in ("0", "1", "2", ">2")], 0)
        assert (drawn[:2] == r["split"]["n_train"]).all() and (drawn[2:] >= r["split"]["n_train"]).all()
        assert r["best_epoch"] == int(np.nanargmax(np.array(h["val_macro_auc"], float)))
        if r["loss_density"]:
            assert r["loss_density"]["epochs"] == [1, 4] and len(r["loss_density"]["bce"][0]) == r["split"]["n_train"]
        assert r["machine"]["torch_threads"] == 1 and r["version"]
        for part in ("val", "test"):                           # the curves end where the metrics were taken
            for m in METRICS: assert abs(r["curves"][part][m][r["best_epoch"]] - r["metrics"][part][m]) <= 1e-6
        assert len(r["warmup_sha256"]) == 64 and r["split"]["data_sha256"]
        store.check_split(r)                                        # the folds are reproducible from the config

def test_killed_grid_resumes_without_loss_or_repeat(full_grid, tmp_path):
    "Kill a real `mlabs grid` by pid after its first records, start it again: the records equal the uninterrupted grid's."
    out = tmp_path/"killed"
    p = subprocess.Popen([str(BIN), "grid", str(SMOKE), "--out", str(out), "--quiet"], env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while len(record_files(out)) < 2 and p.poll() is None and time.time() < deadline: time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    n_before = len(record_files(out))
    assert 2 <= n_before < 8, f"the grid was not killed midway ({n_before} records)"
    stamps = {f.name: f.stat().st_mtime_ns for f in record_files(out)}
    r = mlabs("grid", SMOKE, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert f"8 runs: {n_before} already done, {8 - n_before} run" in r.stdout      # nothing run twice
    assert {f.name: f.stat().st_mtime_ns for f in record_files(out) if f.name in stamps} == stamps   # finished runs untouched
    full = {f.name: json.loads(f.read_text()) for f in record_files(full_grid)}
    resumed = {f.name: json.loads(f.read_text()) for f in record_files(out)}
    assert sorted(resumed) == sorted(full)                                              # same keys, none lost, no extra
    for k in full: assert_same_record(resumed[k], full[k])

def test_same_config_same_record(full_grid, smoke_configs):
    "A run in this process equals the record another process stored for the same config (one thread, CPU)."
    torch.set_num_threads(1)
    c = next(c for c in smoke_configs if c.strategy == "adaptive" and c.fold == 1)
    rec = runner.run(c)
    stored = store.read_record(store.record_path(full_grid, rec["key"]))
    assert_same_record(rec, stored, tol=0)
    assert store.comparable(json.loads(json.dumps(rec))) == store.comparable(stored)

def test_strategy_order_does_not_matter():
    "DELA (whose training draws noise) on yeast: each strategy's record is the same trained first, last or alone."
    torch.set_num_threads(1)
    cs = [cfgs.make_config("yeast", "dela", s, 8, fold=3, epochs=4, warmup_epochs=2) for s in ("random", "adaptive")]
    fwd = {r["key"]: r for r in runner.run_unit(cs)}
    rev = {r["key"]: r for r in runner.run_unit(cs[::-1])}
    alone = runner.run(cs[1])
    for k in fwd: assert_same_record(fwd[k], rev[k], tol=0)
    assert_same_record(alone, fwd[alone["key"]], tol=0)
    assert fwd[cs[0].key]["metrics"]["test"] != alone["metrics"]["test"]   # the arms do differ

@pytest.mark.parametrize("args, msg", [
    (("run", "--dataset", "nosuchset", "--model", "dela"), "unknown dataset 'nosuchset'"),
    (("run", "--dataset", "yeast", "--model", "nosuchmodel"), "unknown model 'nosuchmodel'"),
    (("run", "--dataset", "yeast", "--model", "dela", "--strategy", "random,greedy"), "unknown strategy 'greedy'"),
])
def test_unknown_names_are_usage_errors(tmp_path, args, msg):
    r = mlabs(*args, "--out", tmp_path)
    assert r.returncode == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path/"records").exists()

@pytest.mark.parametrize("text, msg", [
    ("datasets = [yeast\n", "is not valid TOML"),
    ("[[grid]]\ndatasets = ['yeast']\nmodels = ['c2ae']\nstrategies = ['random']\nepoch = 3\n", "unknown key epoch"),
    ("[[grid]]\ndatasets = ['yeast']\nmodels = ['c2ae']\nstrategies = ['greedy']\n", "unknown strategy 'greedy'"),
    ("[[grid]]\ndatasets = ['nosuchset']\nmodels = ['c2ae']\nstrategies = ['random']\n", "unknown dataset 'nosuchset'"),
    ("[[grid]]\nmodels = ['c2ae']\nstrategies = ['random']\n", "datasets is missing"),
    ("epochs = 5\n", "no [[grid]] table"),
])
def test_malformed_config(tmp_path, text, msg):
    cfg = tmp_path/"bad.toml"; cfg.write_text(text)
    r = mlabs("grid", cfg, "--out", tmp_path/"out")
    assert r.returncode == 2 and msg in r.stderr and str(cfg) in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path/"out").exists()

def test_unwritable_output_dir(tmp_path):
    blocker = tmp_path/"a-file"; blocker.write_text("keep me")
    r = mlabs("grid", SMOKE, "--out", blocker/"results")
    assert r.returncode == 1 and "cannot write to the output directory" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and blocker.read_text() == "keep me"

def test_missing_config_file(tmp_path):
    r = mlabs("grid", tmp_path/"nope.toml")
    assert r.returncode == 2 and "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1

def test_corrupt_record_is_reported_and_rerun(full_grid, tmp_path):
    "`mlabs report` stops on a corrupt record, naming it; `mlabs grid` reports it, reruns it, and touches nothing else."
    d = tmp_path/"res"; shutil.copytree(full_grid, d)
    files = record_files(d)
    victim = files[3]; original = json.loads(victim.read_text())
    victim.write_text(victim.read_text()[:100])
    others = {f.name: f.read_bytes() for f in files if f != victim}
    r = mlabs("report", d)
    assert r.returncode == 1 and f"corrupt record {victim}" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    with pytest.raises(store.CorruptRecord, match=victim.name): store.load_records(d)
    r = mlabs("grid", SMOKE, "--out", d, "--quiet")
    assert r.returncode == 0, r.stderr
    assert victim.name in r.stderr and "corrupt" in r.stderr
    assert "8 runs: 7 already done, 1 run" in r.stdout
    assert {f.name: f.read_bytes() for f in record_files(d) if f != victim} == others
    assert_same_record(store.read_record(victim), original, tol=0)

@pytest.mark.parametrize("protocol", ["authors", "authors-lr"])
def test_authors_protocols_run_from_a_toml(tmp_path, protocol):
    "Both authors' protocols run from a grid file: lr 1e-4 and the port's hyperparameters; 'authors' has its unlike arms."
    cfg = tmp_path/"a.toml"
    cfg.write_text(f'epochs = 4\nwarmup_epochs = 2\nprotocol = "{protocol}"\n[[grid]]\ndatasets = ["yeast"]\n'
                   'models = ["dela"]\nstrategies = ["random", "adaptive"]\nrun_folds = [0]\n')
    r = mlabs("grid", cfg, "--out", tmp_path/"out", "--quiet")
    assert r.returncode == 0, r.stderr
    recs = {x["config"]["strategy"]: x for x in store.load_records(tmp_path/"out")}
    assert sorted(recs) == ["adaptive", "random"]
    for x in recs.values():
        c = x["config"]
        assert (c["protocol"], c["lr"], c["hparams"]["beta"]) == (protocol, 1e-4, 1e-4)    # the port's DELA
        assert len(x["curves"]["test"]["macro_auc"]) == 4
    wd = {s: x["config"]["weight_decay"] for s, x in recs.items()}
    if protocol == "authors":          # unlike arms: no weight decay for random, the last epoch tested, no shared warm-up
        assert wd == {"random": 0.0, "adaptive": 1e-4} and {x["best_epoch"] for x in recs.values()} == {3}
        assert {x["warmup_sha256"] for x in recs.values()} == {None}
    else:                              # the fair protocol: like arms from one warm-up
        assert wd == {"random": 1e-4, "adaptive": 1e-4}
        assert len({x["warmup_sha256"] for x in recs.values()}) == 1 and recs["random"]["warmup_sha256"]
