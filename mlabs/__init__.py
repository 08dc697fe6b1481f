"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.imbalance`: IRLbl, MeanIR and minority labels (Eq. 1), cardinality, density, SCUMBLE, CVIR, the label co-occurrence matrix A of the paper's appendix 6, and the paper's Table 1 recomputed from the bundled data.
- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares."""

__version__ = "0.1.0"
