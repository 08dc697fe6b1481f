"""The experiment layer end to end: a real `mlabs grid` killed midway resumes without losing or repeating a run,
the same config gives the same record, a run does not depend on the order of the strategies of its fold, and bad
input ends in one line and a non-zero exit with nothing else lost. Everything runs on one torch thread."""
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
import torch
from mlabs import config as cfgs, store, runner
from mlabs.config import RunConfig
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
        # every epoch draws ceil(n/batch_size) batches of batch_size distinct samples (the last shuffled batch is shorter)
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

def test_a_unit_resumed_on_another_machine_shares_one_warm_up(full_grid, tmp_path):
    "A unit with one arm missing and one stored from another warm-up (as another CPU makes): the grid trains both here, from one warm-up."
    d = tmp_path/"res"; shutil.copytree(full_grid, d)
    recs = {f: json.loads(f.read_text()) for f in record_files(d)}
    unit = sorted(f for f, r in recs.items() if r["config"]["fold"] == 0)     # the smoke grid: one unit per fold
    assert len(unit) == 4 and len({recs[f]["warmup_sha256"] for f in unit}) == 1
    gone, foreign = unit[0], unit[1]
    gone.unlink()
    r = {**recs[foreign], "warmup_sha256": "0" * 64, "machine": {**recs[foreign]["machine"], "cpu_capability": "AVX2"}}
    foreign.write_text(json.dumps(r))
    others = {f.name: f.read_bytes() for f in record_files(d) if f not in unit}
    res = mlabs("grid", SMOKE, "--out", d, "--quiet")
    assert res.returncode == 0, res.stderr
    assert "8 runs: 7 already done, 1 run" in res.stdout and "; 1 stored run trained again" in res.stdout, res.stdout
    after = {f: json.loads(f.read_text()) for f in record_files(d)}
    assert {f.name: f.read_bytes() for f in record_files(d) if f not in unit} == others     # the other unit untouched
    for f in unit: assert_same_record(after[f], recs[f], tol=0)                          # as the uninterrupted grid's
    assert {after[f]["warmup_sha256"] for f in unit} == {recs[gone]["warmup_sha256"]}
    res = mlabs("grid", SMOKE, "--out", d, "--quiet")                                  # and nothing is left to do
    assert "8 runs: 8 already done, 0 run" in res.stdout and "trained again" not in res.stdout, res.stdout

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

# ---- reliability: processes, concurrent grids, failures, stale data (the cases of the reliability issue)

def children(pid: int) -> list[int]:
    "Processes whose parent is `pid`, from /proc (the spawn workers and the resource tracker of a grid)."
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit(): continue
        try: stat = (d/"stat").read_text()
        except OSError: continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid: out.append(int(d.name))
    return out

def alive(pid: int) -> bool:
    "The process exists and is not a zombie."
    try: return (Path("/proc")/str(pid)/"stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError: return False

def unit_log(d: Path) -> list[str]:
    "Unit keys of every unit a grid trained, from the files MLABS_UNIT_LOG collects (one per unit and process)."
    return sorted(p.name.split(".")[0] for p in d.iterdir())

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_parent_of_a_jobs2_grid_leaves_no_worker_and_resumes_exactly(full_grid, smoke_configs, tmp_path, sig):
    "kill -9 (or SIGTERM) of the parent of a --jobs 2 grid mid-way: no worker lives 10 s later; the resume trains exactly the missing units."
    out, log1, log2 = tmp_path/"out", tmp_path/"log1", tmp_path/"log2"; log1.mkdir(); log2.mkdir()
    p = subprocess.Popen([str(BIN), "grid", str(SMOKE), "--out", str(out), "--jobs", "2", "--quiet"],
                         env={**ENV, "MLABS_UNIT_LOG": str(log1)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, kids = time.time() + 300, set()
    while p.poll() is None and time.time() < deadline:
        kids |= set(children(p.pid))
        if len(list(log1.iterdir())) == 2 and 1 <= len(record_files(out)) < 8: break   # both units training, one stored
        time.sleep(0.05)
    kids |= set(children(p.pid))
    os.kill(p.pid, sig); p.wait()
    assert len(kids) >= 2, kids                              # the workers (and the resource tracker)
    time.sleep(10)
    assert not [k for k in kids if alive(k)], "workers outlived their parent"
    n_before = len(record_files(out))                        # (a worker may finish the arm it was writing first)
    assert 1 <= n_before < 8, f"the grid was not killed mid-way ({n_before} records)"
    stamps = {f.name: f.stat().st_mtime_ns for f in record_files(out)}
    missing = {c.unit_key for c in smoke_configs if not store.record_path(out, c.key).exists()}
    r = subprocess.run([str(BIN), "grid", str(SMOKE), "--out", str(out), "--quiet"], capture_output=True, text=True,
                       env={**ENV, "MLABS_UNIT_LOG": str(log2)}, timeout=600)
    assert r.returncode == 0, r.stderr
    assert f"8 runs: {n_before} already done, {8 - n_before} run" in r.stdout
    assert unit_log(log2) == sorted(missing)                 # the units with a missing run, each once, nothing else
    assert {f.name: f.stat().st_mtime_ns for f in record_files(out) if f.name in stamps} == stamps
    full = {f.name: json.loads(f.read_text()) for f in record_files(full_grid)}
    for f in record_files(out): assert_same_record(json.loads(f.read_text()), full[f.name])
    assert not list((out/"records").glob(".*.tmp"))

def test_sigint_to_the_parent_alone_stops_promptly(tmp_path):
    "SIGINT to a --jobs 2 grid's parent only (not its process group): it ends within seconds, its workers too, status 130."
    out, log = tmp_path/"out", tmp_path/"log"; log.mkdir()
    p = subprocess.Popen([str(BIN), "grid", str(SMOKE), "--out", str(out), "--jobs", "2", "--quiet"],
                         env={**ENV, "MLABS_UNIT_LOG": str(log)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while len(list(log.iterdir())) < 2 and p.poll() is None and time.time() < deadline: time.sleep(0.05)
    kids = children(p.pid)
    t0 = time.monotonic(); p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    took = time.monotonic() - t0
    assert p.returncode == 130 and "interrupted" in err, err
    assert took < 15, f"took {took:.1f} s to stop"            # a unit takes longer than that: it did not wait for one
    time.sleep(2)
    assert not [k for k in kids if alive(k)]
    for f in record_files(out): store.read_record(f)        # whatever was written is whole

def test_two_grids_on_one_store_run_each_unit_once(full_grid, tmp_path):
    "Two `mlabs grid` started at once on one store: both succeed, every unit is trained exactly once, all records stored."
    out, log = tmp_path/"out", tmp_path/"log"; log.mkdir()
    env = {**ENV, "MLABS_UNIT_LOG": str(log)}
    ps = [subprocess.Popen([str(BIN), "grid", str(SMOKE), "--out", str(out), "--quiet"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    res = [p.communicate(timeout=600) for p in ps]
    assert [p.returncode for p in ps] == [0, 0], res
    ran = [int(o.split(" already done, ")[1].split(" run")[0]) for o, _ in res]
    assert sum(ran) == 8, res                                # what each says it trained adds up to the grid
    assert unit_log(log) == sorted({RunConfig.from_dict(json.loads(f.read_text())["config"]).unit_key
                                    for f in record_files(full_grid)})   # each unit once
    full = {f.name: json.loads(f.read_text()) for f in record_files(full_grid)}
    got = {f.name: json.loads(f.read_text()) for f in record_files(out)}
    assert sorted(got) == sorted(full)
    for k in full: assert_same_record(got[k], full[k])

def test_check_writable_from_many_processes_at_once(tmp_path):
    "Four processes checking one store at once, many times: no spurious failure (each check has a name of its own)."
    code = f"from mlabs.runner import check_writable\nfor _ in range(200): check_writable({str(tmp_path/'s')!r})\n"
    ps = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=ENV) for _ in range(4)]
    errs = [p.communicate(timeout=300)[1] for p in ps]
    assert [p.returncode for p in ps] == [0] * 4, errs
    assert not list((tmp_path/"s"/"records").iterdir())

def test_leftovers_of_a_killed_writer_are_removed(full_grid, tmp_path):
    "A temporary record of a writer killed before its rename, and its unheld claim: the next grid removes both, touches nothing else."
    d = tmp_path/"res"; shutil.copytree(full_grid, d)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket
    tmp = d/"records"/f".{'a' * 16}.json.{int(dead.stdout)}@{socket.gethostname()}.x1y2z3.tmp"; tmp.write_text("{half")
    (d/"records"/".claims").mkdir(exist_ok=True); (d/"records"/".claims"/"u.claim").write_text("{}")
    before = {f.name: f.read_bytes() for f in record_files(d)}
    r = mlabs("grid", SMOKE, "--out", d, "--quiet")
    assert r.returncode == 0 and "8 runs: 8 already done, 0 run" in r.stdout, r.stderr
    assert "removed 2 leftover files" in r.stderr
    assert not tmp.exists() and not list((d/"records"/".claims").iterdir())
    assert {f.name: f.read_bytes() for f in record_files(d)} == before

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_unit_does_not_stop_the_grid(tmp_path, jobs):
    "A unit whose training diverges (first in the grid): named with data set, model, seed, fold and epoch; the others run; status 1."
    cfg = tmp_path/"g.toml"
    cfg.write_text("epochs = 4\nwarmup_epochs = 2\n[[grid]]\ndatasets = ['yeast']\nmodels = ['c2ae', 'dela']\n"
                   "strategies = ['random']\nrun_folds = [0]\n[models.c2ae]\nlr = 1e12\n")   # C2AE diverges in its first epoch
    r = mlabs("grid", cfg, "--out", tmp_path/"out", "--jobs", jobs, "--quiet")
    assert r.returncode == 1, r.stderr
    assert "2 runs: 0 already done, 1 run" in r.stdout
    err = r.stderr.strip().splitlines()
    assert err[0].startswith("mlabs: failed: yeast c2ae seed 0 fold 0, warm-up epoch 1 of 4: losses has NaN or inf"), err
    assert err[-1].startswith("mlabs: error: 1 of 2 units failed") and "Traceback" not in r.stderr
    recs = store.load_records(tmp_path/"out")
    assert [r_["config"]["model"] for r_ in recs] == ["dela"]    # the healthy unit ran and was stored

def test_a_replaced_data_file_is_rerun_and_not_mixed(tmp_path):
    "A data set given by a path relative to the config: replace the file, and the grid reruns its runs; the report keeps them apart."
    import gzip
    from mlabs.data import data_dir
    d = tmp_path/"cfg"; d.mkdir()
    text = gzip.decompress((data_dir()/"emotions.arff.gz").read_bytes()).decode()
    (d/"emo.arff").write_text(text); shutil.copy(data_dir()/"emotions.xml", d/"emo.xml")
    (d/"g.toml").write_text("epochs = 3\nwarmup_epochs = 2\n[[grid]]\ndatasets = ['emo.arff']\nmodels = ['c2ae']\n"
                            "strategies = ['random', 'adaptive']\nrun_folds = [0]\n")
    out, elsewhere = tmp_path/"out", tmp_path/"elsewhere"; elsewhere.mkdir()
    run = lambda *a: subprocess.run([str(BIN), *map(str, a)], capture_output=True, text=True, timeout=600, env=ENV, cwd=elsewhere)
    r = run("grid", d/"g.toml", "--out", out, "--quiet")             # run from another folder: the path is the config's
    assert r.returncode == 0 and "2 runs: 0 already done, 2 run" in r.stdout, r.stderr
    old = {f.name: f.read_bytes() for f in record_files(out)}
    head, rows = text.split("@data", 1)
    rows = [l for l in rows.splitlines() if l.strip()]
    (d/"emo.arff").write_text(head + "@data\n" + "\n".join(rows[:-93]) + "\n")   # the same path, 500 of the 593 samples
    r = run("grid", d/"g.toml", "--out", out, "--quiet")
    assert r.returncode == 0 and "2 runs: 0 already done, 2 run" in r.stdout, r.stderr   # rerun, not "2 already done"
    new = {f.name for f in record_files(out)} - set(old)
    assert len(new) == 2 and {f.name: f.read_bytes() for f in record_files(out) if f.name in old} == old
    assert {store.read_record(out/"records"/n)["split"]["n_train"] + store.read_record(out/"records"/n)["split"]["n_val"]
            + store.read_record(out/"records"/n)["split"]["n_test"] for n in new} == {500}
    r = run("report", out)                                             # every record: old and new file in one cell
    assert r.returncode == 2 and "differ in data_sha256" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (out/"tables").exists() and not (out/"figures").exists()
    r = run("report", out, "--config", d/"g.toml")                     # the grid's records: the new file's only
    assert r.returncode == 0, r.stderr
    assert " 2 records" in r.stdout and "Table 3" in r.stdout, r.stdout      # the report counts the new records only
    assert list((out/"figures").glob("g_*.png"))                             # its figures under the store, not ./figures

def test_report_refuses_cells_run_differently(tmp_path):
    "Folds 0-1 of a 2-fold 3-epoch run beside folds 2-4 of a 5-fold 6-epoch run in one store: the report names both differences."
    out = tmp_path/"runs"
    common = ("run", "--dataset", "yeast", "--model", "c2ae", "--strategy", "random", "--warmup-epochs", "2", "--out", out, "--quiet")
    r = mlabs(*common, "--folds", "2", "--epochs", "3"); assert r.returncode == 0, r.stderr
    r = mlabs(*common, "--folds", "5", "--fold", "2,3,4", "--epochs", "6"); assert r.returncode == 0, r.stderr
    before = {f.name: f.read_bytes() for f in record_files(out)}
    r = mlabs("report", out)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "records of one cell (yeast c2ae seed 0 batch 128 official) differ in folds 2 vs 5; epochs 3 vs 6" in r.stderr
    assert {f.name: f.read_bytes() for f in record_files(out)} == before and not (out/"tables").exists()

def test_progress_line_moves_per_epoch(tmp_path):
    "The grid's progress line counts epochs (2 units x (2 warm-up + 4 arms x 3) = 28) and shows the runs beside them."
    r = mlabs("grid", SMOKE, "--out", tmp_path/"out")
    assert r.returncode == 0, r.stderr
    assert "28/28" in r.stderr and "8/8 runs" in r.stderr and "epoch" in r.stderr
    assert "1/28" in r.stderr and "14/28" in r.stderr                # it moved epoch by epoch
