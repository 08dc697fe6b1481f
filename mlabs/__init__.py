"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.bench`: Every performance figure of the package, measured side by side in one process and printed, never asserted in a timed test: these machines are shared and noisy. `mlabs bench` runs them; `mlabs bench --json` prints one JSON object mapping each figure's name to its value.
- `mlabs.cli`: One entry point, `mlabs`, with a subcommand per job: `datasets` (Table 1) and `bench` (the performance figures). User mistakes end in one clear line and a non-zero exit, never a traceback.
- `mlabs.convergence`: The paper's convergence argument, checked numerically: positivity of the sampling distribution (Eq. 8-9) holds; unbiasedness of the gradient (Eq. 10) does not hold for the plain samplers; importance weights restore it; Adam's bias correction (Eq. 11-12) only removes the bias of the zero-initialised moments.
- `mlabs.data`: Load a multi-label data set, bundled or from any MULAN/MEKA ARFF file, as `X` (float32, dense or CSR) and `Y` (uint8 0/1): parsed by a vectorised reader, checked against published checksums, cached, and optionally reduced as the paper's experiments reduce it.
- `mlabs.metrics`: The six evaluation measures of the paper (Sec. 4.1): Macro-F1, Micro-F1, Macro-AUC, Ranking Loss, Hamming Loss and One-Error, vectorised, checked against scikit-learn, with the authors' Macro-AUC as an option.
- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y) -> (total, per_sample_bce)`, `predict_proba(x)`, with the input checks every model shares.
- `mlabs.selection`: Selection probabilities from per-sample losses (Eq. 3, 6, 7) and PyTorch batch samplers that draw mini-batches from them: exact, fast, usable with any model."""

__version__ = "0.1.0"
