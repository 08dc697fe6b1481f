"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares.
- `mlabs.models.c2ae`: C2AE (Yeh et al., AAAI 2017), faithful to the official MATLAB code and trained under the batch-selection paper's protocol: feature encoder, label encoder and label decoder, the embedding loss, the pairwise ranking loss computed without any [B, q, q] tensor, and the per-sample BCE the samplers rank on.
- `mlabs.models.mpvae`: MPVAE (Bai, Kong and Gomes, IJCAI 2020), faithful to the official TensorFlow 1 code: a label encoder and a feature encoder that share a latent space, one decoder with two probit heads, a learnt residual covariance, the Monte-Carlo probit likelihood, the ranking term and the KL term; predictions and the per-sample BCE from the exact probit marginal instead of 10 000 Monte-Carlo samples."""

__version__ = "0.1.0"
