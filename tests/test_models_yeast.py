"""Each model, trained on yeast with its preset, must learn: test Macro-AUC at least that of one logistic
regression per label minus 0.01, and Hamming loss (threshold 0.5) below the label density, i.e. better than
predicting no label at all. The logistic regression is fitted in the same test, on the same training rows.

The split is `mlabs.models.base.holdout("yeast")` (1900 training rows, 517 test rows, min-max scaling fitted on the
training rows); training is `mlabs.train.train_preset`, the package's one training loop with one random arm (Adam,
weight decay 1e-4, batch 128, the preset's learning rate, `CHECK_EPOCHS` epochs, the final epoch), on one torch
thread. Run only these with `pytest -m yeast`."""
import time
import numpy as np
import pytest
from mlabs.core import threads
from mlabs.models import CHECK_EPOCHS, preset
from mlabs.train import train_preset
from mlabs.models.base import holdout, holdout_metrics, logistic_baseline


@pytest.fixture(scope="module")
def yeast():
    return holdout("yeast")


def _check(name: str, yeast) -> None:
    tr, te = yeast
    base = holdout_metrics(te[1], logistic_baseline(tr, te[0]))
    density = float(np.mean(te[1]))
    with threads(1):
        t0 = time.process_time()
        res, hist = train_preset(name, tr, te)
        cpu = time.process_time() - t0
    print(f"{name}: {CHECK_EPOCHS[name]} epochs at lr {preset(name, 'yeast')['lr']:g}, {cpu:.0f} s CPU; "
          f"Macro-AUC {res['macro_auc']:.4f} (logistic regression {base['macro_auc']:.4f}), "
          f"Hamming loss {res['hamming_loss']:.4f} (label density {density:.4f})")
    assert hist.train_bce.iloc[-1] < hist.train_bce.iloc[0], f"{name}: the training BCE did not fall"
    assert res["macro_auc"] >= base["macro_auc"] - .01, (name, res, base)
    assert res["hamming_loss"] < density, (name, res, density)


@pytest.mark.yeast
def test_c2ae_learns_yeast(yeast): _check("c2ae", yeast)

@pytest.mark.yeast
def test_mpvae_learns_yeast(yeast): _check("mpvae", yeast)

@pytest.mark.yeast
def test_paca_learns_yeast(yeast): _check("paca", yeast)

@pytest.mark.yeast
def test_clif_learns_yeast(yeast): _check("clif", yeast)

@pytest.mark.yeast
def test_dela_learns_yeast(yeast): _check("dela", yeast)
