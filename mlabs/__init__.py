"""Multi-label adaptive batch selection: samplers, models, datasets and experiments

Modules:

- `mlabs.alternatives`: Samplers and losses from the literature the paper does not compare with, adapted to multi-label data and put behind the same interface as the paper's strategies, so that the benchmark (`configs/benchmark.toml`) can run them all on the same models, folds and seeds.
- `mlabs.arff`: Read MULAN and MEKA multi-label ARFF files (dense or sparse, plain or gzip) into one float32 matrix with a vectorised reader, and find which attributes are labels (a MULAN XML file, MEKA's `-C` in the relation name, or an explicit argument). `mlabs.data` builds the data sets on it.
- `mlabs.bench`: Every performance figure of the package, measured side by side in one process and printed, never asserted in a timed test: these machines are shared and noisy. `mlabs bench` runs them; `mlabs bench --json` prints one JSON object mapping each figure's name to its value.
- `mlabs.budgets`: Every budget read from one run's curves, adaptive paired with random on the same split and warm-up, per-cell inference that allows for the overlap of cross-validation training sets (the corrected resampled t-test, an exact sign-flip test, Holm's correction, an equivalence test), an A/A floor from replicate runs with the tests' false-positive rate, time to target, the area under the validation curve, Table 3's Wilcoxon test with its smallest possible p, a convergence check, and the simulated coverage of the intervals.
- `mlabs.chain`: The chain variant of Sec. 3.5 and appendix 6: each sample of a batch is drawn from the adaptive probabilities restricted to samples that share labels correlated with the previous sample's rarest label.
- `mlabs.cli`: One entry point, `mlabs`, with a subcommand per job: `datasets` (Table 1), `run`, `grid`, `report` and `demo` (the experiments) and `bench` (the performance figures). User mistakes end in one clear line and a non-zero exit, never a traceback.
- `mlabs.config`: A run as one frozen, validated `RunConfig`: its JSON form, its key, the unit of work it belongs to, and the grid of runs a TOML file expands to.
- `mlabs.convergence`: The paper's convergence argument, checked numerically: positivity of the sampling distribution (Eq. 8-9) holds; unbiasedness of the gradient (Eq. 10) does not hold for the plain samplers; importance weights restore it; Adam's bias correction (Eq. 11-12) only removes the bias of the zero-initialised moments.
- `mlabs.cv`: The common case in one call: strategies compared by K-fold cross-validation on one data set and one model, each fold's warm-up shared by its strategies, and the small summary `mlabs run` prints.
- `mlabs.data`: Load a multi-label data set, bundled or from any MULAN/MEKA ARFF file, as `X` (float32, dense or CSR) and `Y` (uint8 0/1): parsed by a vectorised reader, checked against published checksums, cached, and optionally reduced as the paper's experiments reduce it.
- `mlabs.distributed`: Every sampler in data-parallel training (`torch.distributed`, Gloo or NCCL): each rank keeps the same loss table and draws the same global batch from the same seeded stream, then takes its own slice of it; and a resume that is exact mid-epoch, also behind a `DataLoader` that prefetches.
- `mlabs.folds`: The folds of the paper's protocol by iterative stratification, the held-out fifth split into validation and test, and the data of one fold: scaled on its training part, with the instance weights of Eq. 5.
- `mlabs.imbalance`: IRLbl, MeanIR and minority labels (Eq. 1), cardinality, density, SCUMBLE, CVIR and the label co-occurrence matrix A of the paper's appendix 6.
- `mlabs.integrations.lightning`: `BatchSelection`, a Lightning callback that installs a selection sampler as the training batch sampler, reports the per-sample losses `training_step` returns, keeps every rank's table equal under DDP, and resumes from a checkpoint mid-epoch.
- `mlabs.local`: The local imbalance matrix B (Eq. 2) from one k-nearest-neighbour query, the normalised matrix S (Eq. 4), and the instance weights w = 1 + eps that scale the losses the adaptive sampler ranks on (Eq. 5).
- `mlabs.losses`: The element-wise label losses the models and the loss-side strategies share: the binary cross-entropy per label, the focal and asymmetric losses and the re-balanced BCE, each a map (logits, labels) -> [b, q]. They sit below both the models and the samplers, so that neither imports the other to reach them.
- `mlabs.metrics`: The six evaluation measures of the paper (Sec. 4.1): Macro-F1, Micro-F1, Macro-AUC, Ranking Loss, Hamming Loss and One-Error, vectorised, checked against scikit-learn, with the authors' Macro-AUC as an option.
- `mlabs.models.base`: One interface for the five deep models: `forward(x, y=None)`, `loss(output, y, weights=None, label_loss=None) -> (total, per_sample_bce)`, `predict_proba(x)`, `own_loss_per_sample`, `prepare`, with the input checks every model shares; the building blocks they share (`mlp` with the official initialisations, `rank_loss`); and the data of the held-out check every model must pass (`holdout`, `logistic_baseline`; `mlabs.train.fit_holdout` trains it).
- `mlabs.models.c2ae`: C2AE (Yeh et al., AAAI 2017), faithful to the official MATLAB code and trained under the batch-selection paper's protocol: feature encoder, label encoder and label decoder, the embedding loss, the pairwise ranking loss computed without any [b, q, q] tensor, and the per-sample BCE the samplers rank on.
- `mlabs.models.clif`: Hang & Zhang (TPAMI 2021), one of the five base classifiers of the paper's experiments (Sec. 4.1): a graph network embeds the labels, the label embeddings gate a shared feature vector into one feature vector per label, and one linear classifier per label reads it.
- `mlabs.models.dela`: Hang & Zhang (ICML 2022), "Dual Perspective of Label-Specific Feature Learning for Multi-Label Classification", one of the five base classifiers of the paper's experiments (Sec. 4.1). One latent code per sample; each label gets its own noisy copy in which only the dimensions that do not matter for that label are perturbed, and a classifier that must be robust to that noise.
- `mlabs.models.mpvae`: MPVAE (Bai, Kong and Gomes, IJCAI 2020), faithful to the official TensorFlow 1 code: a label encoder and a feature encoder that share a latent space, one decoder with two probit heads, a learnt residual covariance, the Monte-Carlo probit likelihood, the ranking term and the KL term; predictions and the per-sample BCE from the exact probit marginal instead of 10 000 Monte-Carlo samples.
- `mlabs.models.paca`: PACA (Hang, Zhang, Feng, Song, AAAI 2022) as a `MultiLabelModel`: a feature VAE and a label VAE share a latent space, and every label has a positive and a negative prototype *distribution* in it, each a conditional normalizing flow. The label probability is a two-class softmax over the instance's log-densities under the two.
- `mlabs.ray_grid`: `mlabs grid CONFIG --backend ray`: each unit of work a Ray task with its resources declared, the data sets in Ray's object store once per grid, retries of tasks whose worker died, and the records written by the same store code as the local backend
- `mlabs.report`: `report(results_dir)`: the paper's Tables 2-4 (Markdown and CSV) and its figures (Fig. 1/5, 3, 4, 6, 7, 8) from the records a grid left in a results directory; each figure skips cleanly when its records are absent.
- `mlabs.runner`: One unit of work (a fold's warm-up and every arm trained from it) as a pure function of its configs that returns and stores records, and a grid runner that runs the missing units in local processes and resumes where a killed grid stopped.
- `mlabs.samplers`: Selection probabilities from per-sample losses (Eq. 3, 6, 7) and PyTorch batch samplers that draw mini-batches from them: exact, fast, usable with any model.
- `mlabs.selection`: The one import a user needs: every strategy's sampler built by name from one registry of the strategy classes, and the strategies chosen by their traits instead of lists of names.
- `mlabs.stats`: The paper's tables from stored run records: Table 1 (the data sets) recomputed, mean and standard deviation over folds, Table 2 (Random vs Adaptive), Table 3 (Wilcoxon signed-rank test across data sets), Table 4 (Adaptive vs AdaC); beyond the paper, paired per-fold differences with bootstrap intervals, an A/A noise floor, and an honest choice of the selection pressure s_e.
- `mlabs.store`: One JSON file per run, named by its key, in one store that every grid reads and writes: written atomically, strict JSON, checked when read.
- `mlabs.successors`: Four batch selection methods published after the paper, two of them for multi-label data by the same group, adapted where needed and put behind the same sampler interface, so that `configs/successors.toml` can run them beside the paper's strategies and the alternatives on the same models, folds and seeds.
- `mlabs.train`: One training loop for any model and any sampler: Adam under the paper's protocol, a warm-up trained once and shared by every strategy compared on a fold, validation Macro-AUC every epoch, the best validation epoch's state evaluated on the test part, and a history of every run; the same loop trains the held-out check of every model (`fit_holdout`, `train_preset`, `learning_check`)."""

# AUTOGENERATED! DO NOT EDIT! File to edit: ../nbs/25_package.ipynb.

# %% auto #0
__all__ = []

# %% ../nbs/25_package.ipynb #9a1c0e03
import importlib, importlib.util

# %% ../nbs/25_package.ipynb #9a1c0e06
__version__ = "0.1.0"

# %% ../nbs/25_package.ipynb #9a1c0e08
_PKG = "mlabs"
_EXPORTS = {
    "data":      "load_dataset list_datasets MultiLabelDataset minmax_scale to_tensors CSRDataset",
    "imbalance": "irlbl mean_ir minority_labels cardinality density scumble cooccurrence",
    "local":     "local_imbalance instance_weights",
    "selection": "SelectionSampler IndexedDataset rank_probs quantized_probs",
    "chain":     "AdaCSampler",
    "metrics":   "evaluate macro_f1 micro_f1 macro_auc ranking_loss hamming_loss one_error",
    "models":    "get_model MultiLabelModel C2AE MPVAE PACA CLIF DELA",
    "train":     "fit",
    "cv":        "cross_validate",
    "config":    "RunConfig make_config",
    "core":      "threads",
}
_LAZY = {name: module for module, names in _EXPORTS.items() for name in names.split()}

# %% ../nbs/25_package.ipynb #9a1c0e09
def __getattr__(name: str): # a public name of the package, or one of its modules
    "Import `name` from the module that defines it on first use (PEP 562), then keep it in the package."
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"{_PKG}.{module}"), name)
        globals()[name] = value              # later lookups find it directly, without this function
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{_PKG}.{name}") is not None:
        return importlib.import_module(f"{_PKG}.{name}")            # `mlabs.selection` after a bare `import mlabs`
    raise AttributeError(f"module {_PKG!r} has no attribute {name!r}")

def __dir__() -> list[str]:
    "The package's names, the lazy ones included (what tab completion offers)."
    return sorted(set(globals()) | set(_LAZY))

# %% ../nbs/25_package.ipynb #9a1c0e0a
__all__ = sorted(_LAZY)      # `from mlabs import *` imports them all
