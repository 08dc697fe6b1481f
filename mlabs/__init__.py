"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares."""

__version__ = "0.1.0"
