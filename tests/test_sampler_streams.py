"""The samplers' random streams are frozen: for every strategy, a fixed seed and a fixed scripted sequence of losses
(and predicted probabilities, and labels, where the strategy reads them) must give exactly the batches (and importance
weights) recorded in `tests/fixtures/sampler_streams.npz`.

The fixture was written by the code *before* the samplers were reorganised and made faster (`python
tests/test_sampler_streams.py --write` with commit effb89c's package); it is never rewritten by the tests. A speed-up that changes
one batch fails here: the records of a running experiment grid must stay reproducible bit for bit. The cases of the
strategies added later (`mlabs.successors`) were appended when they were added (`python tests/test_sampler_streams.py
--add`: only the cases missing from the fixture are played and written, the others are kept as they are). The four
cases of importance mode (`importance.*`, `adaptive.iw`, `hard.iwn`) were recorded again when that mode moved to
float64: in float32 its softmax and multinomial sums followed the CPU's vector width, so AVX2 and AVX-512 machines
drew different streams from one seed; the new streams are the same under torch's AVX2 kernels and under its plain
ones (`ATEN_CPU_CAPABILITY=default`), as are the later strategies' streams; the other cases gave the same batches
on an AVX-512 and an AVX2 machine.

The cases cover every strategy at n = 1,000 (batch 32, the full draw over n), the fast paths at n = 6,000 (batch 16:
rejection for Hard and Adaptive, streams for AdaC, the inverse CDF for the samplers of predicted probabilities), both
refresh modes, instance weights, importance weights, samplers that start before any sample was seen, and the
realistic n = 30,000 with batch 128. Every case runs three epochs (one of warm-up unless said) and reports losses
after every batch.
"""
import sys, warnings, zlib
from pathlib import Path
import numpy as np
import pytest
import torch

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sampler_streams.npz"
Q = 14                                             # labels of the scripted label matrices


def labels(n: int, seed: int = 0) -> np.ndarray:
    "A skewed yeast-like label matrix (n x Q, about 4 positives a row, no empty row)."
    rng = np.random.default_rng(seed)
    freq = np.sort(rng.dirichlet(np.full(Q, 0.7)))[::-1] * 4.2
    Y = (rng.random((n, Q)) < np.clip(freq, 0.002, 0.95)).astype(np.uint8)
    Y[Y.sum(1) == 0, 0] = 1
    return Y


def weights(n: int) -> np.ndarray:
    "Instance weights w > 0 of Eq. 5's shape (1 + a small local-imbalance term)."
    return (1 + 0.05 * np.random.default_rng(1).random(n)).astype(np.float32)


# name -> (strategy, n, batch_size, options); "Y" and "w" in options are filled with labels(n) / weights(n)
CASES = {}
for st in ("random", "hard", "adaptive", "adac", "active_bias", "recency_bias", "ada_boundary", "importance",
           "ml_ros", "class_aware", "focal", "asl"):
    CASES[f"{st}.n1000"] = (st, 1000, 32, {})
CASES.update({
    "recency_bias.decay.n1000": ("recency_bias", 1000, 32, dict(epochs=3)),
    "hard.epoch.n1000": ("hard", 1000, 32, dict(refresh="epoch")),
    "adaptive.epoch.w.n1000": ("adaptive", 1000, 32, dict(refresh="epoch", weights="w")),
    "adac.epoch.w.n1000": ("adac", 1000, 32, dict(refresh="epoch", weights="w")),
    "adaptive.iw.n1000": ("adaptive", 1000, 32, dict(importance_weights=True)),
    "hard.iwn.n1000": ("hard", 1000, 32, dict(importance_weights="normalized")),
    "adaptive.se64.n1000": ("adaptive", 1000, 32, dict(se=64.0)),
})
for st in ("random", "hard", "adaptive", "adac", "active_bias", "recency_bias", "ada_boundary", "importance",
           "ml_ros", "class_aware"):
    CASES[f"{st}.n6000"] = (st, 6000, 16, {})
CASES.update({
    "hard.epoch.n6000": ("hard", 6000, 16, dict(refresh="epoch")),
    "adaptive.epoch.w.n6000": ("adaptive", 6000, 16, dict(refresh="epoch", weights="w")),
    "adaptive.w.n6000": ("adaptive", 6000, 16, dict(weights="w")),
    "adac.w.n6000": ("adac", 6000, 16, dict(weights="w")),
    "adac.epoch.w.n6000": ("adac", 6000, 16, dict(refresh="epoch", weights="w")),
    "adac.se64.n6000": ("adac", 6000, 16, dict(se=64.0)),
    "hard.se64.n6000": ("hard", 6000, 16, dict(se=64.0)),
    "recency_bias.epoch.n6000": ("recency_bias", 6000, 16, dict(refresh="epoch", epochs=3)),
    "ada_boundary.epoch.n6000": ("ada_boundary", 6000, 16, dict(refresh="epoch")),
    "active_bias.epoch.n6000": ("active_bias", 6000, 16, dict(refresh="epoch")),
    "hard.nowarmup.n6000": ("hard", 6000, 16, dict(warmup_epochs=0)),
    "adaptive.nowarmup.n6000": ("adaptive", 6000, 16, dict(warmup_epochs=0)),
    "adac.nowarmup.n6000": ("adac", 6000, 16, dict(warmup_epochs=0)),
    "hard.n30000": ("hard", 30000, 128, {}),
    "adaptive.w.n30000": ("adaptive", 30000, 128, dict(weights="w")),
    "adac.w.n30000": ("adac", 30000, 128, dict(weights="w")),
    "adac.epoch.w.n30000": ("adac", 30000, 128, dict(refresh="epoch", weights="w")),
})
for st in ("uncertainty", "uncertainty_code", "d2ace", "d2ace_code", "infobatch", "rho_loss"):   # mlabs.successors
    CASES[f"{st}.n1000"] = (st, 1000, 32, {})
    CASES[f"{st}.n6000"] = (st, 6000, 16, {})
CASES.update({
    "uncertainty.epochs.n1000": ("uncertainty", 1000, 32, dict(epochs=3)),
    "uncertainty_code.epoch.n1000": ("uncertainty_code", 1000, 32, dict(refresh="epoch", epochs=3)),
    "d2ace.epochs.n1000": ("d2ace", 1000, 32, dict(epochs=3)),
    "infobatch.epochs.n1000": ("infobatch", 1000, 32, dict(epochs=3, delta=0.5)),
})
PROBA = {"active_bias", "recency_bias", "ada_boundary", "uncertainty", "uncertainty_code", "d2ace", "d2ace_code"}
LABELS = {"adac", "active_bias", "ml_ros", "class_aware", "d2ace", "d2ace_code"}
FEATURES = {"d2ace", "d2ace_code"}                 # given the features (their kNN label context)


def features(n: int) -> np.ndarray:
    "Scripted features (n x 4) for the samplers that read them."
    return np.random.default_rng(2).random((n, 4)).astype(np.float32)


class ScriptedModel:
    "A fixed model for RHO-LOSS's candidate losses: label probabilities sigmoid(X W), W fixed."
    def __init__(self): self.W = torch.from_numpy(np.random.default_rng(3).normal(size=(4, Q)).astype(np.float32))
    def predict_proba(self, x): return torch.sigmoid(x @ self.W)


def options(strategy: str, n: int, opts: dict) -> dict:
    kw = dict(warmup_epochs=1, seed=7) | {k: v for k, v in opts.items()}
    if kw.get("weights") == "w": kw["weights"] = weights(n)
    if strategy in LABELS: kw["Y"] = labels(n)
    if strategy in FEATURES: kw["X"] = features(n)
    if strategy == "rho_loss": kw["irreducible"] = np.random.default_rng(4).gamma(2.0, 0.2, n).astype(np.float32)
    return kw


def play(make, name: str, epochs: int = 3) -> dict[str, np.ndarray]:
    """Run a case: `make(strategy, n, batch_size, **options)` builds the sampler; every batch is followed by an update
    with scripted losses (rounded, so that ties occur) and, for the samplers that read them, scripted probabilities.
    Returns each batch's CRC-32 of its indices (int64 bytes), of its importance weights (float32 bytes, when the
    sampler gives them), and its length: a changed batch is found by its position."""
    strategy, n, bs, opts = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                      # AdaC's note about labels with few co-occurring labels
        s = make(strategy, n, bs, **options(strategy, n, opts))
    if strategy == "rho_loss": s.attach(ScriptedModel(), torch.from_numpy(features(n)), torch.from_numpy(labels(n)).float())
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    crc = lambda a: zlib.crc32(np.ascontiguousarray(a).tobytes())
    idx_crc, lens, w_crc = [], [], []
    for _ in range(epochs * s.num_batches):
        idx = s.next_batch()
        idx_crc.append(crc(idx.numpy().astype(np.int64))); lens.append(len(idx))
        if s.last_weights is not None: w_crc.append(crc(s.last_weights.numpy().astype(np.float32)))
        l = np.round(rng.gamma(2.0, 0.3, len(idx)), 2).astype(np.float32)
        if strategy in PROBA: s.update(idx, l, rng.random((len(idx), Q)).astype(np.float32))
        else: s.update(idx, l)
    out = {"idx": np.asarray(idx_crc, dtype=np.uint32), "len": np.asarray(lens, dtype=np.int32)}
    if w_crc: out["w"] = np.asarray(w_crc, dtype=np.uint32)
    return out


def make_sampler(strategy, n, batch_size, **kw):
    "Build a strategy's sampler by name, from the one documented import."
    from mlabs.selection import SelectionSampler
    return SelectionSampler(n, batch_size, strategy=strategy, **kw)


@pytest.fixture(scope="module")
def recorded():
    with np.load(FIXTURE) as z: return {k: z[k] for k in z.files}


@pytest.mark.parametrize("name", list(CASES))
def test_stream_is_unchanged(name, recorded):
    torch.set_num_threads(1)
    got = play(make_sampler, name)
    for k, v in got.items():
        want = recorded[f"{name}/{k}"]
        bad = np.flatnonzero(v != want) if v.shape == want.shape else [0]
        assert not len(bad), f"{name}: {k} differs from batch {bad[0]} on ({len(bad)} of {len(want)} batches)"
    assert set(got) == {k.split("/")[1] for k in recorded if k.startswith(name + "/")}


def test_fixture_covers_every_registered_strategy():
    from mlabs.selection import STRATEGY_NAMES
    assert {c[0] for c in CASES.values()} == set(STRATEGY_NAMES)


if __name__ == "__main__" and "--add" in sys.argv:         # append the cases missing from the fixture, keep the rest
    torch.set_num_threads(1)
    with np.load(FIXTURE) as z: arrays = {k: z[k] for k in z.files}
    for name in CASES:
        if f"{name}/idx" in arrays: continue
        for k, v in play(make_sampler, name).items(): arrays[f"{name}/{k}"] = v
        print("added", name, len(arrays[f"{name}/len"]), "batches", flush=True)
    np.savez_compressed(FIXTURE, **arrays)

if __name__ == "__main__" and "--write" in sys.argv:       # only at the commit that fixed the streams (effb89c)
    # `python tests/test_sampler_streams.py --write [PATH]`, with that commit's package first on the path
    out = Path(sys.argv[sys.argv.index("--write") + 1]) if len(sys.argv) > sys.argv.index("--write") + 1 else FIXTURE
    torch.set_num_threads(1)
    def make_old(strategy, n, batch_size, **kw):
        import mlabs.chain, mlabs.alternatives
        from mlabs.selection import SelectionSampler
        return SelectionSampler(n, batch_size, strategy=mlabs.alternatives.sampler_strategy(strategy), **kw)
    arrays = {}
    for name in CASES:
        for k, v in play(make_old, name).items(): arrays[f"{name}/{k}"] = v
        print(name, len(arrays[f"{name}/len"]), "batches", flush=True)
    out.parent.mkdir(exist_ok=True)
    np.savez_compressed(out, **arrays)
