"""`mlabs.integrations.lightning` in real Lightning runs on the CPU: one device, and `strategy="ddp"` with two
processes (Lightning starts the second by running the script again, so each run is a script in a subprocess, in a
temporary folder). Each script trains a linear model three times: uninterrupted; stopped after a checkpoint written
mid-epoch; resumed from that checkpoint. Checked: the sampler's probabilities moved away from uniform after the
warm-up, every rank held the same loss table after every step, and the resumed run's batches continue the
uninterrupted run's. Skipped when Lightning is not installed (pip install 'mlabs[lightning]')."""
import json, os, subprocess, sys
from pathlib import Path
import pytest

pytest.importorskip("lightning", reason="PyTorch Lightning is not installed: pip install 'mlabs[lightning]'")
ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r'''
import json, os, sys, warnings, logging
import torch, torch.nn as nn, torch.nn.functional as F
import lightning.pytorch as L
from mlabs.integrations.lightning import BatchSelection, selection_dataloader
from mlabs.distributed import table_digest
warnings.filterwarnings("ignore"); logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
torch.set_num_threads(1)
DEV, WORKERS, STOP, OUT = int(os.environ["DEV"]), int(os.environ["WORKERS"]), int(os.environ["STOP"]), os.environ["OUT"]
g = torch.Generator().manual_seed(0)
X = torch.randn(600, 8, generator=g); Y = (X[:, :5] + 0.5 * torch.randn(600, 5, generator=g) > 0.8).float()
ds = torch.utils.data.TensorDataset(X, Y)

class Net(L.LightningModule):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(8, 5); self.seen, self.tables = [], []
    def train_dataloader(self): return selection_dataloader(self, ds, num_workers=WORKERS)
    def training_step(self, batch, batch_idx):
        idx, x, y = batch
        l = F.binary_cross_entropy_with_logits(self.lin(x), y, reduction="none").mean(1)
        self.seen.append(idx.tolist())
        return {"loss": l.mean(), "per_sample_loss": l}
    def configure_optimizers(self): return torch.optim.SGD(self.parameters(), lr=0.1)

class Record(L.Callback):
    "After BatchSelection has reported the batch: the table's digest; at step `stop`, a checkpoint and a stop."
    def __init__(self, sel, stop=None): self.sel, self.stop = sel, stop
    def on_train_batch_end(self, trainer, m, *a):
        m.tables.append(table_digest(self.sel.sampler))
        if trainer.global_step == self.stop: trainer.save_checkpoint(OUT + "/mid.ckpt"); trainer.should_stop = True

def fit(stop=None, ckpt=None):
    torch.manual_seed(0)
    sel = BatchSelection(32, strategy="adaptive", se=8, warmup_epochs=1, seed=3)
    tr = L.Trainer(max_epochs=3, accelerator="cpu", devices=DEV, strategy="ddp" if DEV > 1 else "auto",
                   use_distributed_sampler=False, callbacks=[sel, Record(sel, stop)], logger=False,
                   enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, default_root_dir=OUT)
    m = Net(); tr.fit(m, ckpt_path=ckpt)
    return m, sel

full, sel = fit()
head, _ = fit(stop=STOP)
tail, _ = fit(ckpt=OUT + "/mid.ckpt")
p = sel.sampler.probs()
in_flight = len(torch.load(OUT + "/mid.ckpt", weights_only=False)["callbacks"]["BatchSelection"]["sampler"]["in_flight"])
rank = int(os.environ.get("LOCAL_RANK", 0))
with open(f"{OUT}/rank{rank}.json", "w") as f:
    json.dump({"full": full.seen, "head": head.seen, "tail": tail.seen, "tables": full.tables,
               "tail_tables": tail.tables, "n_p_max": float(p.max() * 600), "n_p_min": float(p.min() * 600),
               "in_flight": in_flight, "world": sel.sampler.world_size}, f)
'''


def run_script(tmp_path: Path, devices: int, workers: int, stop: int) -> list[dict]:
    "Run the script (Lightning starts the other ranks itself); return each rank's record."
    (tmp_path / "run.py").write_text(SCRIPT)
    env = {**os.environ, "DEV": str(devices), "WORKERS": str(workers), "STOP": str(stop), "OUT": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=420)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(devices)]


@pytest.fixture(scope="module")
def one_device(tmp_path_factory):
    # two loader workers: the draws run 4 batches ahead of the updates, and the checkpoint holds those 4 batches
    return run_script(tmp_path_factory.mktemp("one"), devices=1, workers=2, stop=45)


@pytest.fixture(scope="module")
def ddp(tmp_path_factory):
    # batches of 32 per rank: 10 global batches of 64 an epoch (the last one 24, 12 per rank); stop in epoch 2 (selection)
    return run_script(tmp_path_factory.mktemp("ddp"), devices=2, workers=0, stop=24)


def test_one_device_selects(one_device):
    r, = one_device
    assert r["world"] == 1 and len(r["full"]) == 3 * 19
    assert r["n_p_max"] > 1.5 and r["n_p_min"] < 0.8           # n p away from 1 (uniform) after the warm-up


def test_one_device_resumes_mid_epoch(one_device):
    r, = one_device
    assert r["in_flight"] == 4                                   # 2 workers x prefetch_factor 2 batches drawn ahead
    assert (len(r["head"]), len(r["tail"])) == (45, 12)
    assert r["head"] + r["tail"] == r["full"]


def test_ddp_selects_and_shares_one_table(ddp):
    r0, r1 = ddp
    assert r0["world"] == r1["world"] == 2 and len(r0["full"]) == len(r1["full"]) == 3 * 10
    assert r0["n_p_max"] > 1.5 and r0["n_p_min"] < 0.8
    assert r0["tables"] == r1["tables"] and len(set(r0["tables"])) == 30     # the same table after every step, changing
    for a, b in zip(r0["full"], r1["full"]):                      # the slices make a batch of distinct samples
        assert not set(a) & set(b)


def test_ddp_rank0_checkpoint_resumes_both_ranks(ddp):
    for r in ddp:
        assert (len(r["head"]), len(r["tail"])) == (24, 6)
        assert r["head"] + r["tail"] == r["full"]
        assert r["tail_tables"] == r["tables"][24:]
