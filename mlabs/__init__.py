"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares.
- `mlabs.models.c2ae`: C2AE (Yeh et al., AAAI 2017), faithful to the official MATLAB code and trained under the batch-selection paper's protocol: feature encoder, label encoder and label decoder, the embedding loss, the pairwise ranking loss computed without any [B, q, q] tensor, and the per-sample BCE the samplers rank on."""

__version__ = "0.1.0"
