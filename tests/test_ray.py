"""The Ray backend (`mlabs grid CONFIG --backend ray`) end to end, through the command line: the smoke grid on a
local Ray instance with 2 workers gives the local backend's records; a worker killed by process id in the middle
of a task is retried and the store ends complete, with no run lost or repeated; an unreachable cluster is one line
and a non-zero exit within seconds. Without Ray the package still imports and `--backend ray` says how to install
it (those tests run with Ray installed too: a stand-in module hides it). Ray starts in tens of seconds on a busy
2-core machine, so the tests share one local-backend grid and start Ray twice."""
import json, os, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest
from mlabs.config import RunConfig
from test_experiments import assert_same_record, record_files

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT/"configs"/"smoke.toml"
BIN = Path(sys.executable).parent/"mlabs"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
NEEDS_RAY = "Ray is not installed (pip install 'mlabs[ray]'): the Ray backend cannot be run"

def mlabs(*args, env=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env or ENV)

def one_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]

def all_gone(pids, wait: float = 20.0) -> bool:
    "True once none of the processes exists (Ray stops its workers as the command ends; allow it a moment)."
    pids = list(pids)
    def alive(pid):
        try: os.kill(pid, 0)
        except ProcessLookupError: return False
        return True
    deadline = time.time() + wait
    while any(alive(p) for p in pids) and time.time() < deadline: time.sleep(0.2)
    return not any(alive(p) for p in pids)

def attempts(log: Path) -> list[tuple[str, int]]:
    "(unit key, worker pid) of every task attempt, from the files `unit_task` leaves in MLABS_RAY_ATTEMPT_LOG."
    return sorted((p.name.split(".")[0], int(p.name.split(".")[1])) for p in log.iterdir())

@pytest.fixture(scope="module")
def local_grid(tmp_path_factory) -> dict:
    "The smoke grid run by the local backend: {file name: record}."
    out = tmp_path_factory.mktemp("local")
    r = mlabs("grid", SMOKE, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    return {f.name: json.loads(f.read_text()) for f in record_files(out)}

# ---- without Ray

@pytest.fixture
def no_ray_env(tmp_path) -> dict:
    "An environment whose `import ray` fails as it does where Ray is not installed."
    hide = tmp_path/"hide"; hide.mkdir()
    (hide/"ray.py").write_text("raise ModuleNotFoundError(\"No module named 'ray'\", name='ray')\n")
    return {**ENV, "PYTHONPATH": os.pathsep.join([str(hide), *filter(None, [os.environ.get("PYTHONPATH")])])}

def test_core_works_without_ray(no_ray_env):
    "Every module imports without Ray, and none imports it on its own."
    code = ("import sys, mlabs.cv, mlabs.ray_grid, mlabs.bench, mlabs.cli, mlabs.report\n"
            "assert 'ray' not in sys.modules, 'ray imported'\n"
            "try:\n    import ray\nexcept ModuleNotFoundError:\n    print('hidden')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=no_ray_env, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "hidden", r.stderr

def test_ray_backend_without_ray_says_how_to_install(tmp_path, no_ray_env):
    r = mlabs("grid", SMOKE, "--backend", "ray", "--out", tmp_path/"out", env=no_ray_env)
    assert r.returncode == 1 and "pip install 'mlabs[ray]'" in one_line(r)
    assert not (tmp_path/"out").exists()

@pytest.mark.parametrize("args, msg", [
    (("--address", "127.0.0.1:6379"), "--address needs --backend ray"),
    (("--backend", "ray", "--address", "127.0.0.1:6379", "--jobs", "2"), "--jobs sets the workers"),
    (("--backend", "ray", "--jobs", "0"), "argument --jobs: must be at least 1, got 0"),
])
def test_ray_usage_errors(tmp_path, args, msg):
    r = mlabs("grid", SMOKE, *args, "--out", tmp_path/"out")
    assert r.returncode == 2 and msg in one_line(r)
    assert not (tmp_path/"out").exists()

@pytest.mark.parametrize("table, msg", [
    ("[ray]\nnum_gpu = 1\n", "[ray]: unknown key num_gpu"),
    ("[ray.datasets.yeast]\nnum_cpus = 0\n", "[ray].datasets.yeast: num_cpus must be a number > 0"),
])
def test_malformed_ray_table(tmp_path, table, msg):
    "A bad [ray] table is a usage error for either backend, before anything runs (every check: nbs/21e_ray.ipynb)."
    cfg = tmp_path/"bad.toml"
    cfg.write_text("epochs = 4\n[[grid]]\ndatasets = ['yeast']\nmodels = ['c2ae']\nstrategies = ['random']\n" + table)
    for backend in ("local", "ray"):
        r = mlabs("grid", cfg, "--backend", backend, "--out", tmp_path/"out")
        assert r.returncode == 2 and msg in one_line(r) and str(cfg) in r.stderr
    assert not (tmp_path/"out").exists()

# ---- with Ray

def test_cluster_file_is_the_documented_one():
    "configs/ray-cluster.yaml parses, installs mlabs with Ray on every node and starts the head on the documented port."
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with Ray: " + NEEDS_RAY)
    c = yaml.safe_load((ROOT/"configs"/"ray-cluster.yaml").read_text())
    assert c["provider"]["type"] == "local" and c["provider"]["head_ip"] and c["provider"]["worker_ips"]
    assert any("mlabs[ray]" in s for s in c["setup_commands"])
    assert any("ray start --head" in s and "--port=6379" in s for s in c["head_start_ray_commands"])
    assert any("ray start --address=$RAY_HEAD_IP:6379" in s for s in c["worker_start_ray_commands"])

@pytest.mark.parametrize("where", ["10.255.255.1:6379", "closed-port", "silent-port"])
def test_unreachable_cluster_is_one_line(tmp_path, where):
    "An address where no Ray cluster answers (nothing there, a closed port, a port that listens and says nothing): one line and exit 1 within seconds, nothing written."
    pytest.importorskip("ray", reason=NEEDS_RAY)
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
    address = where if ":" in where else f"127.0.0.1:{srv.getsockname()[1]}"
    if where == "closed-port": srv.close()
    t0 = time.monotonic()
    try: r = mlabs("grid", SMOKE, "--backend", "ray", "--address", address, "--out", tmp_path/"out", timeout=120)
    finally: srv.close()
    took = time.monotonic() - t0
    line = one_line(r)
    assert r.returncode == 1 and address in line and "Ray cluster" in line, line
    assert took < 45, f"took {took:.0f} s"            # the imports (torch, Ray) are most of it on a busy machine
    assert not list((tmp_path/"out").glob("records/*.json"))

def test_ray_backend_gives_the_local_records(local_grid, tmp_path):
    "The smoke grid on a local Ray instance with 2 workers: the local backend's keys, configs and metrics (to 1e-6)."
    pytest.importorskip("ray", reason=NEEDS_RAY)
    out, log = tmp_path/"ray", tmp_path/"attempts"; log.mkdir()
    r = mlabs("grid", SMOKE, "--backend", "ray", "--jobs", "2", "--out", out, "--quiet",
              env={**ENV, "MLABS_RAY_ATTEMPT_LOG": str(log)})
    assert r.returncode == 0, r.stderr
    assert "8 runs: 0 already done, 8 run" in r.stdout
    got = {f.name: json.loads(f.read_text()) for f in record_files(out)}
    assert sorted(got) == sorted(local_grid)
    for k in local_grid: assert_same_record(got[k], local_grid[k])
    assert {r["machine"]["torch_threads"] for r in got.values()} == {1}
    tried = attempts(log)                                  # one attempt per unit, and the workers are gone
    assert sorted(u for u, _ in tried) == sorted({RunConfig.from_dict(r["config"]).unit_key for r in got.values()})
    assert all_gone(pid for _, pid in tried)
    r = mlabs("grid", SMOKE, "--backend", "ray", "--jobs", "2", "--out", out, "--quiet")
    assert r.returncode == 0 and "8 runs: 8 already done, 0 run" in r.stdout, r.stderr

def test_killed_worker_is_retried(local_grid, tmp_path):
    "SIGKILL to the worker running a unit, by its pid, as the unit starts: Ray retries it; every run is stored once."
    pytest.importorskip("ray", reason=NEEDS_RAY)
    out, log = tmp_path/"ray", tmp_path/"attempts"; log.mkdir()
    p = subprocess.Popen([str(BIN), "grid", str(SMOKE), "--backend", "ray", "--jobs", "2", "--out", str(out), "--quiet"],
                         env={**ENV, "MLABS_RAY_ATTEMPT_LOG": str(log)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not list(log.iterdir()) and p.poll() is None and time.time() < deadline: time.sleep(0.02)
    assert p.poll() is None, "the grid ended before any task started"
    (unit, pid), = attempts(log)[:1]
    os.kill(pid, signal.SIGKILL)
    stdout, stderr = p.communicate(timeout=600)
    assert p.returncode == 0, stderr
    assert "8 runs: 0 already done, 8 run" in stdout
    tried = attempts(log)
    again = [q for u, q in tried if u == unit and q != pid]
    assert len(again) == 1, tried          # retried once, by another worker: the unit was running when killed
    files = record_files(out)
    assert len(files) == 8 and not list((out/"records").glob(".*.tmp"))
    got = {f.name: json.loads(f.read_text()) for f in files}
    assert sorted(got) == sorted(local_grid)                # none lost, none extra
    for k in local_grid: assert_same_record(got[k], local_grid[k])
    assert all_gone(q for _, q in tried)
