"The `mlabs` command end to end, in a subprocess, as a user runs it."
import json, os, subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent / "mlabs"
ROOT = Path(__file__).resolve().parents[1]

def mlabs(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=600, **kw)

def test_datasets_reproduces_table1(tmp_path):
    r = mlabs("datasets", env={"MLABS_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: l for l in r.stdout.splitlines() if l and l.split()[0] in
            ("Corel5k", "cal500", "bibtex", "yeast", "scene", "enron", "LLOG-F", "yahoo-Arts1-500")}
    # the five data sets whose files are the paper's: every printed statistic agrees, nothing is starred
    paper = {"Corel5k": "5000 499 374 3.52 0.01 189.57", "cal500": "502 68 174 26.04 0.15 20.58",
             "bibtex": "7395 1836 159 2.40 0.02 12.50", "yeast": "2417 103 14 4.24 0.30 7.20",
             "scene": "2407 294 6 1.07 0.18 1.25"}
    for name, vals in paper.items():
        assert rows[name].split()[1:7] == vals.split(), rows[name]
        assert "*" not in rows[name] and "[" not in rows[name]
    # the known disagreements are marked and explained in a footnote
    assert "73.95* [9.93]" in rows["enron"] and "1.18* [15.93]" in rows["LLOG-F"]
    for name in ("enron", "LLOG-F", "yahoo-Arts1-500"):
        note = rows[name].split()[-1]
        assert note.startswith("[") and any(l.startswith(f"{note} {name}") for l in r.stdout.splitlines())

def test_datasets_json():
    r = mlabs("datasets", "yeast", "--json")
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert len(rec) == 1 and rec[0]["n"] == 2417 and rec[0]["q"] == 14

@pytest.mark.parametrize("args, msg", [(("datasets", "nosuchset"), "unknown dataset nosuchset"),
                                       (("bench", "nosuchbench"), "unknown benchmark nosuchbench"),
                                       (("nonsense",), "invalid choice"),
                                       (("datasets", "--bad-option"), "unrecognized arguments")])
def test_usage_errors_exit_2_with_one_line(args, msg):
    r = mlabs(*args)
    assert r.returncode == 2
    assert msg in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""

def test_no_command_prints_help_and_exits_2():
    r = mlabs()
    assert r.returncode == 2 and "datasets" in r.stderr

def test_bench_list():
    r = mlabs("bench", "--list")
    assert r.returncode == 0 and "data" in r.stdout.split()

def test_version():
    from mlabs import __version__
    r = mlabs("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"mlabs {__version__}"

def test_dataset_names_in_any_case():
    r = mlabs("datasets", "YEAST", "Corel5K", "--json")
    assert r.returncode == 0, r.stderr
    assert [x["dataset"] for x in json.loads(r.stdout)] == ["yeast", "Corel5k"]

@pytest.mark.parametrize("cmd", ["run", "grid", "report", "demo"])
def test_experiment_commands_have_help(cmd):
    r = mlabs(cmd, "--help")
    assert r.returncode == 0 and r.stdout.startswith(f"usage: mlabs {cmd}")

def test_run_prints_the_comparison(tmp_path):
    "Two strategies on one fold of yeast (3 epochs): one record each, and a table with the paired difference."
    r = mlabs("run", "--dataset", "Yeast", "--model", "c2ae", "--strategy", "random,adaptive", "--epochs", "3",
              "--warmup-epochs", "2", "--fold", "0", "--out", str(tmp_path), "--quiet",
              env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path/"records").glob("*.json"))) == 2
    lines = r.stdout.splitlines()
    assert lines[0].startswith("yeast, c2ae: 2 runs")
    assert lines[1].split() == ["Macro-F1", "Micro-F1", "Macro-AUC", "Ranking", "loss", "Hamming", "loss", "One-error"]
    assert any(l.startswith("gain over random (positive: better") for l in lines)
    assert max(map(len, lines[1:])) <= 100                               # six metrics in 100 columns (after the paths line)
    assert "mlabs: warning: epochs (3) <= warm-up + 1 (3)" in r.stderr      # one epoch of selection: said before training

def test_demo_writes_table_and_figure(tmp_path):
    "The demo with 2 folds and 4 epochs: the table of both strategies and the convergence figure in --out."
    out = tmp_path/"demo"
    r = mlabs("demo", "--out", str(out), "--epochs", "4", "--folds", "2", "--jobs", "1", "--quiet",
              env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    assert "random" in r.stdout and "gain over random" in r.stdout
    assert (out/"demo_convergence.png").stat().st_size > 1000
    assert len(list((out/"records").glob("*.json"))) == 4

# ---- every option mistake: one line, exit 2, nothing run or written (the CLI part of the newcomer and reliability issues)

def one_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]

NO_GPU = not Path("/proc/driver/nvidia/version").exists()
RUN = ("run", "--dataset", "yeast", "--model", "dela")

@pytest.mark.parametrize("args, msg", [
    (RUN + ("--folds", "0"), "argument --folds: must be at least 2, got 0"),
    (RUN + ("--folds", "1"), "argument --folds: must be at least 2, got 1"),
    (RUN + ("--strategy", ""), "argument --strategy: expected a comma-separated list"),
    (RUN + ("--strategy", ","), "argument --strategy: expected a comma-separated list, got ','"),
    (RUN + ("--se",), "argument --se: expected one argument"),
    (RUN + ("--se", "inf"), "argument --se: must be a finite number above 1, got inf"),
    (RUN + ("--se", "2 8"), "argument --se: must be a number, got '2 8'"),
    (RUN + ("--epochs", "0"), "argument --epochs: must be at least 1, got 0"),
    (RUN + ("--epochs", "3.7"), "argument --epochs: must be an integer, got '3.7'"),
    (RUN + ("--epochs", "3", "--warmup-epochs", "3"), "--epochs (3) must exceed --warmup-epochs (3)"),
    (RUN + ("--fold", "5"), "--fold 5 is not a fold of --folds 5"),
    (RUN + ("--batch-size", "0"), "argument --batch-size: must be at least 1, got 0"),
    (RUN + ("--device", "tpu"), "--device must be cpu, cuda or cuda:N, got 'tpu'"),
    (RUN + ("--labels", "end:2"), "--labels and --xml are for a data set given by path; yeast is bundled"),
    (RUN + ("--missing", "zero"), "argument --missing: invalid choice: 'zero'"),
    (RUN + ("--protocol", "offical"), "(did you mean 'official'?)"),
    (("run", "--dataset", "yeats", "--model", "dela"), "unknown dataset 'yeats' (did you mean 'yeast'?)"),
    (("run", "--dataset", "yeast", "--model", "dla"), "unknown model 'dla' (did you mean 'dela'?)"),
    (RUN + ("--strategy", "random,adaptiv"), "unknown strategy 'adaptiv' (did you mean 'adaptive'?)"),
    (("run", "--dataset", "yeast"), "the following arguments are required: --model"),
    (("grdi", "x.toml"), "invalid choice: 'grdi'"),
    (("grid", "nowhere.toml"), "config nowhere.toml does not exist"),
    (("report", "nowhere"), "no record store at nowhere"),
    (("init", "quik"), "unknown example 'quik' (did you mean 'quick'?)"),
] + ([(RUN + ("--device", "cuda"), "--device cuda: this machine has no NVIDIA GPU driver")] if NO_GPU else []))
def test_option_mistakes_are_one_line_and_exit_2(tmp_path, args, msg):
    r = mlabs(*args, *(("--out", str(tmp_path/"out")) if args[0] == "run" else ()), cwd=tmp_path)
    assert r.returncode == 2 and msg in one_line(r), r.stderr
    assert r.stdout == "" and not (tmp_path/"out").exists()

def test_mistyped_command_suggests_the_right_one():
    r = mlabs("grdi", "x.toml")
    assert r.returncode == 2 and "(did you mean 'grid'?)" in one_line(r)

GRID = "[[grid]]\ndatasets = ['yeast']\nmodels = ['c2ae']\nstrategies = ['random', 'adaptive']\nrun_folds = [0]\n"

@pytest.mark.parametrize("text, msg", [
    ("device = 'tpu'\n" + GRID, "device must be cpu, cuda or cuda:N, got 'tpu'"),
    (GRID + "[models.c2ae]\nhidden = 'big'\n", "c2ae.hidden must be an integer, got 'big'"),
    (GRID + "[models.c2ae]\nhiden = 3\n", "no hyperparameter hiden (did you mean 'hidden'?)"),
    (GRID + "[models.c2e]\nlr = 0.5\n", "[models.c2e] names no model (did you mean 'c2ae'?)"),
    (GRID + "se = []\n", "se is empty"),
    (GRID.replace("['random', 'adaptive']", "[]"), "strategies is empty"),
    ("epochs = 3.7\n" + GRID, "epochs must be an integer, got 3.7"),
    ("epochs = true\n" + GRID, "epochs must be an integer, got True"),
    ("epochs = 0\n" + GRID, "epochs must be at least 1, got 0"),
    ("folds = 1\n" + GRID, "folds must be at least 2, got 1"),
    ("seeds = [-1]\n" + GRID, "seed must be at least 0, got -1"),
    (GRID + "se = [inf]\n", "se must be a finite number, got inf"),
    ("labels = 'end:2'\n" + GRID, "labels and xml are options of a data set given by path; yeast is bundled"),
    ("missing = 'zero'\n" + GRID, "unknown missing 'zero'"),
    ("k = 5000\n" + GRID, "k = 5000 neighbours need more than 5000 training samples; yeast has"),
    (GRID + "batch_sizes = [5000]\n", "batch size 5000 is larger than the"),
])
def test_grid_config_mistakes_are_one_line_and_exit_2(tmp_path, text, msg):
    "Each config mistake, caught by --dry-run too (the data checks included): one line naming the file, exit 2, nothing written."
    cfg = tmp_path/"bad.toml"; cfg.write_text(text)
    r = mlabs("grid", str(cfg), "--dry-run", "--out", str(tmp_path/"out"))
    line = one_line(r)
    assert r.returncode == 2 and msg in line, r.stderr
    assert not (tmp_path/"out").exists()

def test_defaults_and_help_on_every_option():
    "Every option of run and grid has a help text; those with a default show it."
    import re
    for cmd in ("run", "grid", "report", "init", "demo", "bench"):
        h = mlabs(cmd, "--help").stdout
        opts = re.findall(r"^  (--[\w-]+)(?: [A-Z{][^ ]*)?(?:\s{2,}(\S.*))?$", h, re.M)
        assert opts, h
        for name, text in opts:
            if name == "--help": continue
            assert text or re.search(rf"^  {name}.*\n\s{{10,}}\S", h, re.M), (cmd, name)
    h = "".join(mlabs("run", "--help").stdout.split())       # argparse wraps lines (and breaks at hyphens)
    for want in ("--folds K K of the K-fold cross-validation (default: 5)", "(default: random,adaptive)",
                 "samples per batch (default: 128)", "(default: heldout_half)", "cpu, cuda or cuda:N (default: cpu)",
                 "seed of the folds, the initialisation and the shuffles (default: 0)", "(default: batch)"):
        assert "".join(want.split()) in h, want

def test_help_is_fast_and_imports_nothing_heavy():
    "mlabs --help and a name check import neither torch nor scipy nor pandas (times: `mlabs bench cli`)."
    code = ("import sys\nfrom mlabs.cli import main\n"
            "for argv in (['--help'], ['run', '--dataset', 'yeats', '--model', 'dela']):\n"
            "    try: main(argv)\n    except SystemExit: pass\n"
            "print(sorted(m for m in ('torch', 'scipy', 'pandas', 'sklearn') if m in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr

def test_init_writes_a_runnable_example(tmp_path):
    r = mlabs("init", "smoke", "--out", str(tmp_path/"s.toml"))
    assert r.returncode == 0 and "mlabs grid" in r.stdout, r.stderr
    r = mlabs("grid", str(tmp_path/"s.toml"), "--dry-run", "--out", str(tmp_path/"o"))
    assert r.returncode == 0 and r.stdout.startswith("8 runs in 2 units; 0 done"), r.stderr
    r = mlabs("init", "--list")
    assert r.returncode == 0 and {"smoke", "quick", "cpu", "paper"} <= {l.split()[0] for l in r.stdout.splitlines()}

# ---- data files: what the loader refuses, warns about, or now accepts (reliability issue, item 5)

def arff(path: Path, n: int = 60, q: int = 3, d: int = 4, relation: str = "t", rows=None, bom: bool = False) -> Path:
    "A dense ARFF file: d numeric features, then q {0,1} labels that vary; `rows` replaces the generated rows."
    head = [f"@relation {relation}"] + [f"@attribute x{j} numeric" for j in range(d)] + \
           [f"@attribute y{j} {{0,1}}" for j in range(q)] + ["@data"]
    rows = rows or [",".join([f"{(i * (j + 3)) % 11 / 10}" for j in range(d)] + [str((i >> j) & 1) for j in range(q)])
                    for i in range(n)]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(head + rows + [""]).encode())
    return path

def xml(path: Path, names) -> Path:
    path.write_text('<labels xmlns="http://mulan.sourceforge.net/labels">'
                    + "".join(f'<label name="{n}"></label>' for n in names) + "</labels>")
    return path

def dry(tmp_path, dataset: str, extra: str = "", folds: int = 2):
    cfg = tmp_path/"g.toml"
    cfg.write_text(f"folds = {folds}\nbatch_sizes = [8]\nk = 3\n{extra}[[grid]]\ndatasets = [{dataset!r}]\n"
                   "models = ['c2ae']\nstrategies = ['random', 'adaptive']\nrun_folds = [0]\n")
    return mlabs("grid", str(cfg), "--dry-run", "--out", str(tmp_path/"out"))

def test_stale_meka_option_without_xml(tmp_path):
    "-C naming non-binary columns is refused and says why; a binary -C alone is used, with a warning naming the columns."
    arff(tmp_path/"m.arff", relation="'m: -C 2'")                     # -C 2: the first two attributes, x0 and x1
    r = dry(tmp_path, "m.arff")
    assert r.returncode == 2 and "MEKA's -C 2 in @relation chose these labels" in one_line(r)
    arff(tmp_path/"m.arff", relation="'m: -C -3'")
    r = dry(tmp_path, "m.arff")
    assert r.returncode == 0, r.stderr
    assert "mlabs: warning:" in r.stderr and "MEKA's -C -3 in @relation makes the last 3 attributes the labels ('y0' ... 'y2')" in r.stderr

def test_meka_option_disagreeing_with_the_xml(tmp_path):
    arff(tmp_path/"m.arff", relation="'m: -C 2'"); xml(tmp_path/"m.xml", ["y0", "y1", "y2"])
    r = dry(tmp_path, "m.arff")
    assert r.returncode == 0 and "disagrees with the XML" in r.stderr and "the XML's labels are used" in r.stderr, r.stderr

def test_xml_leaving_out_a_label_is_refused(tmp_path):
    arff(tmp_path/"f.arff"); xml(tmp_path/"f.xml", ["y0", "y1"])            # y2, a {0,1} attribute after them, left out
    r = dry(tmp_path, "f.arff")
    assert r.returncode == 2 and "attribute 'y2' (column 6) is declared {0,1} and lies among the labels" in one_line(r)
    r = dry(tmp_path, "f.arff", "labels = ['y0', 'y1']\n")                  # said explicitly: accepted
    assert r.returncode == 0, r.stderr

def test_mulan_train_test_layout_finds_its_xml(tmp_path):
    arff(tmp_path/"birds-train.arff"); xml(tmp_path/"birds.xml", ["y0", "y1", "y2"])
    r = dry(tmp_path, "birds-train.arff")
    assert r.returncode == 0 and r.stdout.startswith("2 runs in 1 units"), r.stderr

def test_value_beyond_float32_is_refused_with_file_and_line(tmp_path):
    rows = [f"{i},1,2,3,{i % 2},{(i // 2) % 2},1" for i in range(60)]; rows[7] = "1e39,1,2,3,0,1,1"   # line 9 + 8
    f = arff(tmp_path/"big.arff", rows=rows); xml(tmp_path/"big.xml", ["y0", "y1", "y2"])
    r = dry(tmp_path, "big.arff")
    assert r.returncode == 2 and f"{f}, line 17: value 1e+39 of attribute 'x0' (column 0) is outside float32's range" in one_line(r)

def test_byte_order_mark_is_accepted(tmp_path):
    arff(tmp_path/"bom.arff", bom=True); xml(tmp_path/"bom.xml", ["y0", "y1", "y2"])
    r = dry(tmp_path, "bom.arff")
    assert r.returncode == 0, r.stderr

def test_no_varying_label_and_a_single_label_are_refused(tmp_path):
    rows = [f"{i % 7},1,2,3,0,1,0" for i in range(60)]
    arff(tmp_path/"c.arff", rows=rows); xml(tmp_path/"c.xml", ["y0", "y1", "y2"])
    r = dry(tmp_path, "c.arff")
    assert r.returncode == 2 and "c.arff has no label that varies over its 60 samples" in one_line(r)
    arff(tmp_path/"one.arff", q=1); xml(tmp_path/"one.xml", ["y0"])
    r = dry(tmp_path, "one.arff")
    assert r.returncode == 2 and "one.arff has one label (q = 1)" in one_line(r)

def test_data_set_smaller_than_a_batch_names_batch_size(tmp_path):
    "194 samples, 2 folds: the default batch of 128 does not fit a fold's training part; the error names --batch-size and what fits."
    f = arff(tmp_path/"small.arff", n=194); xml(tmp_path/"small.xml", ["y0", "y1", "y2"])
    r = mlabs("run", "--dataset", str(f), "--model", "c2ae", "--folds", "2", "--out", str(tmp_path/"out"))
    line = one_line(r)
    assert r.returncode == 2 and "batch size 128 is larger than the" in line and "pass --batch-size" in line, line
    assert not list((tmp_path/"out").glob("records/*.json"))

def test_labels_and_xml_options_of_run(tmp_path):
    "A file with neither an XML beside it nor MEKA's -C: --labels end:3 (or --xml) says which are labels, and the run records it."
    f = arff(tmp_path/"plain.arff", n=120)
    r = mlabs("run", "--dataset", str(f), "--model", "c2ae")
    assert r.returncode == 2 and "cannot tell which attributes are labels" in one_line(r)
    common = ("run", "--dataset", str(f), "--model", "c2ae", "--strategy", "random", "--fold", "0", "--epochs", "2",
              "--warmup-epochs", "1", "--batch-size", "16", "--out", str(tmp_path/"out"), "--quiet")
    r = mlabs(*common, "--labels", "end:3")
    assert r.returncode == 0, r.stderr
    r = mlabs(*common, "--xml", str(xml(tmp_path/"labels.xml", ["y0", "y1", "y2"])))
    assert r.returncode == 0, r.stderr
    cs = sorted((json.loads(p.read_text())["config"] for p in (tmp_path/"out"/"records").glob("*.json")), key=lambda c: "xml" in c)
    assert cs[0]["labels"] == "end:3" and cs[1]["xml"] == str(tmp_path/"labels.xml") and len(cs[1]["xml_sha256"]) == 64

# ---- a model class of your own (newcomer issue: `--model package.module:Class`)

USER_MODEL = '''
import torch
from torch import nn
from mlabs.models.base import MultiLabelModel, ModelOutput, per_sample_bce

class TinyNet(MultiLabelModel):
    "One hidden layer; the interface of mlabs' models: forward, loss (total, per-sample BCE), predict_proba (inherited)."
    default_lr = 3e-3
    def __init__(self, d: int, q: int, hidden: int = 16):
        super().__init__(d, q)
        self.net = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, q))
    def forward(self, x, y=None): return ModelOutput(self.net(x))
    def loss(self, out, y):
        y = self.loss_labels(out, y)
        total = nn.functional.binary_cross_entropy_with_logits(out.logits, y)
        return total, per_sample_bce(out.logits, y)
'''

def test_run_with_a_model_class_of_your_own(tmp_path):
    "A class defined in mymodels.py beside where mlabs runs: --model mymodels:TinyNet trains it and stores its records."
    (tmp_path/"mymodels.py").write_text(USER_MODEL)
    r = mlabs("run", "--dataset", "yeast", "--model", "mymodels:TinyNet", "--fold", "0", "--epochs", "3",
              "--warmup-epochs", "1", "--out", "runs", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("yeast, mymodels:TinyNet: 2 runs") and "gain over random" in r.stdout
    from mlabs import store
    recs = store.load_records(tmp_path/"runs")                       # every key recomputes from its stored config
    import hashlib
    assert {(x["config"]["model"], x["config"]["lr"], json.dumps(x["config"]["hparams"]), x["config"]["model_sha256"])
            for x in recs} == {("mymodels:TinyNet", 3e-3, '{"hidden": 16}',
                                hashlib.sha256((tmp_path/"mymodels.py").read_bytes()).hexdigest())}
    (tmp_path/"g.toml").write_text("epochs = 3\nwarmup_epochs = 1\n[[grid]]\ndatasets = ['yeast']\n"
                                   "models = ['mymodels:TinyNet']\nstrategies = ['random']\nrun_folds = [0]\n"
                                   "[models.'mymodels:TinyNet']\nhidden = 8\nlr = 0.01\n")
    r = mlabs("grid", "g.toml", "--out", "runs", "--jobs", "2", "--quiet", cwd=tmp_path)   # in a spawned worker too
    assert r.returncode == 0 and "1 runs: 0 already done, 1 run" in r.stdout, r.stderr
    new = [x for x in store.load_records(tmp_path/"runs") if x["config"]["hparams"] == {"hidden": 8}]
    assert len(new) == 1 and new[0]["config"]["lr"] == 0.01
    r = mlabs("run", "--dataset", "yeast", "--model", "mymodels:Nope", "--out", "runs", cwd=tmp_path)
    assert r.returncode == 2 and "module mymodels has no Nope" in one_line(r)


def test_missing_extra_is_one_line(tmp_path):
    "Without the experiments extra (pandas hidden), `mlabs report` says which extra to install, in one line, exit 1."
    code = ("import sys, builtins\nreal = builtins.__import__\n"
            "def fake(name, *a, **k):\n"
            "    if name.split('.')[0] == 'pandas': raise ModuleNotFoundError(\"No module named 'pandas'\", name='pandas')\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = fake\nfrom mlabs.cli import main\n"
            f"sys.exit(main(['report', {str(ROOT/'results')!r}, '--config', {str(ROOT/'configs'/'smoke.toml')!r}]))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stderr.strip() == ("mlabs: error: mlabs report needs pandas, which is not installed: "
                                                      "pip install 'mlabs[experiments]'"), r.stderr
