"""`mlabs.distributed` with two CPU processes joined by Gloo on 127.0.0.1 (started by `mlabs.distributed.launch`, each
launch killed after its timeout), against the single-process `SelectionSampler` at twice the batch size, with the
scripted losses of `scripted_losses`; the bad inputs, each one line on every rank and no hang; and the exact resume
mid-epoch behind loaders that draw ahead (a plain DataLoader with workers, torchdata's StatefulDataLoader with 0 and
2 workers; skipped when torchdata is not installed)."""
import copy, io, time
import numpy as np
import pytest
import torch
import torch.distributed as dist
from mlabs.selection import SelectionSampler, IndexedDataset
import mlabs.chain  # noqa: F401  (registers "adac")
from mlabs.distributed import (DistributedSelectionSampler, ResumableSampler, launch, scripted_run, scripted_losses,
                               table_digest)

N, BATCH, EPOCHS = 2100, 16, 3               # the global batch 32 takes the rejection path of hard and adaptive (64 x 32 <= n)
STOP = 66 + 20                            # mid-epoch 1, the first selection epoch (66 batches an epoch)
Y = (np.random.default_rng(0).random((N, 6)) < 0.3).astype(np.int64)
CASES = {"random": dict(strategy="random"), "hard": dict(strategy="hard"), "adaptive": dict(strategy="adaptive"),
         "adac": dict(strategy="adac", Y=Y), "adaptive+importance": dict(strategy="adaptive", importance_weights=True)}
COMMON = dict(warmup_epochs=1, seed=5, se=8)


def options(case: str) -> dict:
    o = {**COMMON, **CASES[case]}
    if o["strategy"] == "random": o.pop("se")
    return o


def single_process(case: str) -> dict:
    "The reference: SelectionSampler itself at the global batch size 2B, the same scripted losses."
    s = SelectionSampler(N, 2 * BATCH, **options(case))
    out, step = {"batches": [], "weights": [], "tables": []}, 0
    for _ in range(EPOCHS):
        for g in s.batches():
            out["batches"].append(g.tolist())
            if s.last_weights is not None: out["weights"].append(s.last_weights.tolist())
            s.update(g, scripted_losses(g, step)); step += 1
            out["tables"].append(table_digest(s))
    return out


def streams_on_ranks() -> dict:
    "On each rank: every case run through, and a resume mid-epoch from rank 0's state (broadcast, as a checkpoint read)."
    res = {}
    for case in CASES:
        full = scripted_run(N, BATCH, EPOCHS, **options(case))
        head = scripted_run(N, BATCH, EPOCHS, stop_after=STOP, **options(case))
        box = [head["state"]]; dist.broadcast_object_list(box, src=0)
        tail = scripted_run(N, BATCH, EPOCHS, resume={"state": box[0], "step": STOP}, **options(case))
        res[case] = {"full": full, "head": head, "tail": tail, "state0": box[0]}
    return res


def errors_on_ranks(timeout: float) -> dict:
    "Each bad input, caught on this rank as one line; the last case leaves rank 1 away (it never builds the sampler)."
    rank, out = dist.get_rank(), {}
    def catch(key, fn):
        t = time.monotonic()
        try: fn(); out[key] = ("no error", 0.0)
        except Exception as e: out[key] = (f"{type(e).__name__}: {e}", time.monotonic() - t)
    base = dict(strategy="adaptive", seed=0, timeout=timeout)
    catch("n", lambda: DistributedSelectionSampler(N + rank, BATCH, **base))
    catch("seed", lambda: DistributedSelectionSampler(N, BATCH, **{**base, "seed": rank}))
    catch("se", lambda: DistributedSelectionSampler(N, BATCH, se=8 + rank, **base))
    catch("strategy", lambda: DistributedSelectionSampler(N, BATCH, **{**base, "strategy": ["adaptive", "hard"][rank]}))
    catch("weights", lambda: DistributedSelectionSampler(N, BATCH, weights=np.where(np.arange(N) == 7, 1 + rank, 1.0), **base))
    catch("batch too large", lambda: DistributedSelectionSampler(N, [BATCH, N][rank], **base))
    s = DistributedSelectionSampler(N, BATCH, **base)
    catch("update shapes", lambda: s.update(torch.arange(BATCH), torch.zeros(BATCH - rank)))
    catch("update too many", lambda: s.update(torch.arange(BATCH + rank), torch.zeros(BATCH + rank)))
    catch("update NaN", lambda: s.update(torch.arange(BATCH) + rank * BATCH, torch.full((BATCH,), [0.5, float("nan")][rank])))
    if rank == 0: catch("absent rank", lambda: DistributedSelectionSampler(N, BATCH, **base))
    else: time.sleep(timeout + 3)                           # alive, in the group, but never building the sampler
    return out


@pytest.fixture(scope="module")
def ranks():
    return launch(streams_on_ranks, world_size=2, timeout=300)


@pytest.fixture(scope="module")
def errors():
    t = time.monotonic()
    res = launch(errors_on_ranks, (3.0,), world_size=2, timeout=180)
    return res, time.monotonic() - t


@pytest.mark.parametrize("case", list(CASES))
def test_union_of_slices_is_the_single_process_batch(ranks, case):
    want = single_process(case)
    r0, r1 = ranks[0][case]["full"], ranks[1][case]["full"]
    assert len(r0["batches"]) == len(want["batches"]) == EPOCHS * 66
    assert [a + b for a, b in zip(r0["batches"], r1["batches"])] == want["batches"]
    assert [a + b for a, b in zip(r0["weights"], r1["weights"])] == want["weights"]
    assert (len(want["weights"]) > 0) == ("importance" in case)


@pytest.mark.parametrize("case", list(CASES))
def test_tables_identical_after_every_step(ranks, case):
    r0, r1 = ranks[0][case]["full"], ranks[1][case]["full"]
    assert r0["tables"] == r1["tables"] == single_process(case)["tables"]
    assert len(set(r0["tables"])) == len(r0["tables"])           # and they do change at every step


@pytest.mark.parametrize("case", list(CASES))
def test_resume_mid_epoch_from_rank0_state(ranks, case):
    for r in ranks:
        c = r[case]
        assert c["head"]["batches"] + c["tail"]["batches"] == c["full"]["batches"]
        assert c["tail"]["tables"] == c["full"]["tables"][STOP:]
    s0, s1 = ranks[0][case]["head"]["state"], ranks[1][case]["head"]["state"]   # rank 0's state is rank 1's
    assert torch.equal(s0["sampler"]["losses"], s1["sampler"]["losses"])
    assert torch.equal(s0["sampler"]["generator"], s1["sampler"]["generator"])
    assert (s0["sampler"]["epoch"], s0["sampler"]["pos"]) == (s1["sampler"]["epoch"], s1["sampler"]["pos"]) == (1, 20)


@pytest.mark.parametrize("case", list(CASES))
def test_two_rank_state_resumes_in_one_process(ranks, case):
    "The state of 2 ranks x BATCH resumes a single process at 2B: the same global stream goes on."
    r = scripted_run(N, 2 * BATCH, EPOCHS, resume={"state": ranks[0][case]["state0"], "step": STOP}, **options(case))
    assert r["batches"] == single_process(case)["batches"][STOP:]


def test_no_process_group():
    with pytest.raises(RuntimeError, match="call torch.distributed.init_process_group"): DistributedSelectionSampler(N, BATCH)


BAD = {"n": "samplers differ in n (rank 0 2100, rank 1 2101)", "seed": "differ in seed (rank 0 0, rank 1 1)",
       "se": "differ in se (rank 0 8.0, rank 1 9.0)", "strategy": "differ in strategy",
       "weights": "differ in weights", "batch too large": "cannot be built on rank 1: batch_size 4200 > n = 2100",
       "update shapes": "update()", "update too many": "update()", "update NaN": "NaN"}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_one_line_on_every_rank(errors, case):
    (r0, r1), _ = errors
    for msg, secs in (r0[case], r1[case]):
        assert msg.startswith("ValueError") and BAD[case] in msg and "\n" not in msg, msg
        assert secs < 30


def test_absent_rank_times_out(errors):
    (r0, _), total = errors
    msg, secs = r0["absent rank"]
    assert msg.startswith("RuntimeError: rank 0: not every rank built a DistributedSelectionSampler within 3 s"), msg
    assert 3 <= secs < 30 and total < 180


def test_bad_update_names_the_rank(errors):
    (r0, r1), _ = errors
    assert "bad input on rank(s) [1]" in r0["update shapes"][0]
    assert "losses has shape (15,) but indices has shape (16,)" in r1["update shapes"][0]
    assert "at most batch_size = 16 entries, got shape (17,)" in r1["update too many"][0]


# resuming behind loaders that draw ahead (one process)
def loss_at(idx, step): return scripted_losses(idx, step)


def loader_run(loader_cls, make, workers, stop=None, resume=None, epochs=3):
    "Epochs through a loader of IndexedDataset(1000); return the batches and, at `stop` = (epoch, batch), the saved state."
    s = make()
    dl = loader_cls(IndexedDataset(torch.arange(1000.)), batch_sampler=s, num_workers=workers)
    step, e0 = (0, 0) if resume is None else (resume["step"], resume["epoch"])
    if resume is not None:
        if hasattr(dl, "load_state_dict"): dl.load_state_dict(resume["loader"])
        else: s.load_state_dict(resume["sampler"])
    seen = []
    for e in range(e0, epochs):
        s.set_epoch(e)
        for i, (idx, _) in enumerate(dl):
            seen.append(idx.tolist()); s.update(idx, loss_at(idx, step)); step += 1
            if (e, i) == stop:
                saved = {"step": step, "epoch": e, "sampler": s.state_dict()}
                if hasattr(dl, "state_dict"): saved["loader"] = dl.state_dict()
                buf = io.BytesIO(); torch.save(saved, buf); buf.seek(0)
                return seen, torch.load(buf, weights_only=True)
    return seen, None


def resumed_equals_full(loader_cls, make, workers):
    full, _ = loader_run(loader_cls, make, workers)
    head, saved = loader_run(loader_cls, make, workers, stop=(1, 9))    # after batch 10 of 32 of the first selection epoch
    tail, _ = loader_run(loader_cls, make, workers, resume=saved)
    return len(head) == 32 + 10 and head + tail == full


MAKE = {s: (lambda s=s: ResumableSampler(1000, 32, strategy=s, warmup_epochs=1, seed=0, **({"Y": Y[:1000]} if s == "adac" else {})))
        for s in ("adaptive", "hard", "adac")}


@pytest.mark.parametrize("workers", [0, 2])
def test_stateful_dataloader_resumes_mid_epoch(workers):
    sdl = pytest.importorskip("torchdata.stateful_dataloader", reason="torchdata is not installed: pip install 'mlabs[torchdata]'")
    assert resumed_equals_full(sdl.StatefulDataLoader, MAKE["adaptive"], workers)


@pytest.mark.parametrize("strategy", ["adaptive", "hard", "adac"])
def test_plain_dataloader_with_workers_resumes_mid_epoch(strategy):
    "A plain DataLoader with 2 workers: the sampler's own state_dict, with its 4 batches in flight, resumes exactly."
    assert resumed_equals_full(torch.utils.data.DataLoader, MAKE[strategy], 2)


def test_state_of_another_global_batch_is_refused():
    with pytest.raises(ValueError, match="global batch of 1 x 16 = 16; this sampler's is 1 x 8 = 8"):
        ResumableSampler(100, 8).load_state_dict(ResumableSampler(100, 16).state_dict())
