"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.convergence`: The paper's convergence argument, checked numerically: positivity of the sampling distribution (Eq. 8-9) holds; unbiasedness of the gradient (Eq. 10) does not hold for the plain samplers; importance weights restore it; Adam's bias correction (Eq. 11-12) only removes the bias of the zero-initialised moments.
- `mlabs.metrics`: The six evaluation measures of the paper (Sec. 4.1): Macro-F1, Micro-F1, Macro-AUC, Ranking Loss, Hamming Loss and One-Error, vectorised, checked against scikit-learn, with the authors' Macro-AUC as an option.
- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares.
- `mlabs.selection`: Selection probabilities from per-sample losses (Eq. 3, 6, 7) and PyTorch batch samplers that draw mini-batches from them: exact, fast, usable with any model."""

__version__ = "0.1.0"
