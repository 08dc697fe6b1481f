"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.metrics`: The six evaluation measures of the paper (Sec. 4.1): Macro-F1, Micro-F1, Macro-AUC, Ranking Loss, Hamming Loss and One-Error, vectorised, checked against scikit-learn, with the authors' Macro-AUC as an option.
- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares.
- `mlabs.selection`: Selection probabilities from per-sample losses (Eq. 3, 6, 7) and PyTorch batch samplers that draw mini-batches from them: exact, fast, usable with any model."""

__version__ = "0.1.0"
