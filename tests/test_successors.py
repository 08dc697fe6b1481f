"""The later methods of `mlabs.successors` train end to end: through `mlabs.train.fit` on a synthetic fold (every
model family they may run on), and through the runner on yeast (fold 0, a 1-epoch warm-up, 2 epochs of each
strategy), with the bookkeeping each one promises: InfoBatch trains fewer steps, RHO-LOSS and D2ACE are handed the
model and the data, and the two variants of each multi-label method differ."""
import math
import numpy as np
import pytest
import torch
from mlabs.core import threads
from mlabs.models import get_model
from mlabs.selection import SUCCESSORS, strategy_class
from mlabs.train import FoldData, fit, train_epoch, new_history, make_optimizer, warmup, branch_sampler

ALL = ["uncertainty", "uncertainty_code", "d2ace", "d2ace_code", "infobatch", "rho_loss"]


def arms(names):
    return [(s, 8.0 if strategy_class(s).uses_se else None) for s in names]


@pytest.fixture(scope="module")
def toy() -> FoldData:
    rg = np.random.default_rng(0)
    X = rg.random((360, 10)).astype(np.float32)
    Y = (X[:, :5] + 0.4 * rg.random((360, 5)) > 0.75).astype(np.uint8)
    return FoldData.from_arrays(X[:240], Y[:240], X[240:300], Y[240:300], X[300:], Y[300:])


def test_every_successor_is_registered():
    assert list(SUCCESSORS) == ALL


@pytest.mark.parametrize("model", ["dela", "clif", "c2ae", "mpvae"])
def test_fit_on_a_synthetic_fold(toy, model):
    names = ALL if get_model(model, 10, 5).supports_label_loss else [s for s in ALL if not strategy_class(s).acts_on_loss]
    torch.manual_seed(0)
    with threads(1):
        m = get_model(model, 10, 5, **({"Y_train": toy.Y_train.numpy()} if model == "clif" else {}))
        res = fit(m, toy, arms(names), epochs=5, warmup_epochs=2, batch_size=32, quiet=True)
    full = 5 * math.ceil(240 / 32)
    for name, r in zip(names, res):
        assert np.isfinite(r["metrics"]["test"]["macro_auc"]), (model, name)
        steps = len(r["history"]["batch_loss"])
        assert (steps < full) if name == "infobatch" else (steps == full), (model, name, steps)
        assert all(t >= 0 for t in r["history"]["time_select_s"])


def test_infobatch_needs_a_label_term(toy):
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="no BCE label term"):
        fit(get_model("c2ae", 10, 5), toy, ["infobatch"], epochs=3, warmup_epochs=1, quiet=True)


def test_the_training_loop_attaches_the_model_and_counts_the_forward_pass(toy):
    torch.manual_seed(0)
    m = get_model("dela", 10, 5); opt = make_optimizer(m, 1e-3)
    snap = warmup(m, opt, toy, epochs=1, batch_size=32)
    s = branch_sampler("rho_loss", snap, toy, batch_size=32)
    assert s.candidates == 240                                   # ceil(32 / 0.1) = 320 > n: every sample a candidate
    h = new_history(); train_epoch(m, opt, s, toy, h)
    steps = len(h["batch_loss"])
    assert steps == math.ceil(240 / 32) and s.forward_rows == steps * 240
    assert s.il is not None and s.il.shape == (240,) and bool((s.il > 0).all())
    d = branch_sampler("d2ace", snap, toy, batch_size=32)
    assert d.Z is None
    train_epoch(m, opt, d, toy, new_history())
    assert d.Z is not None and d.Z.shape == (240, 5)


@pytest.mark.parametrize("model", ["dela", "c2ae"])
def test_yeast_two_epochs_through_the_runner(model):
    from mlabs.config import make_config
    from mlabs.runner import run_unit
    names = ALL if model == "dela" else [s for s in ALL if not strategy_class(s).acts_on_loss]
    configs = [make_config("yeast", model, s, fold=0, folds=5, epochs=3, warmup_epochs=1, min_positives=21) for s in names]
    recs = run_unit(configs)
    steps_random = 3 * math.ceil(recs[0]["split"]["n_train"] / 128)
    for c, r in zip(configs, recs):
        assert r["config"]["strategy"] == c.strategy
        auc = r["metrics"]["test"]["macro_auc"]
        assert 0.5 < auc <= 1, (c.strategy, auc)
        assert len(r["history"]["val_macro_auc"]) == 3
        n = len(r["history"]["batch_loss"])
        assert (n < steps_random) if c.strategy == "infobatch" else (n == steps_random), (c.strategy, n)
    by = {c.strategy: r for c, r in zip(configs, recs)}
    for a, b in (("uncertainty", "uncertainty_code"), ("d2ace", "d2ace_code")):      # the variants draw other batches
        assert by[a]["history"]["batch_loss"] != by[b]["history"]["batch_loss"]
