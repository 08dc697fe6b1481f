"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.data`: Load a multi-label data set, bundled or from any MULAN/MEKA ARFF file, as `X` (float32, dense or CSR) and `Y` (uint8 0/1): parsed by a vectorised reader, checked against published checksums, cached, and optionally reduced as the paper's experiments reduce it.
- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares."""

__version__ = "0.1.0"
