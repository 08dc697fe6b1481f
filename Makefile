# Two commands on a fresh machine: `make demo` and `make test`. Each creates the virtual environment in .venv
# and installs what it needs when it is missing. PyTorch's CPU build goes in first, alone, from PyTorch's own package
# index (TORCH_INDEX): PyPI's Linux wheel of torch brings the CUDA libraries, several GB, and the package's
# `torch>=2.1` is then already satisfied; torch's own dependencies come with the next step, from the usual index.
# Where PyTorch's index cannot be reached, pip falls back on the wheels its configuration already finds (a local
# wheel folder or a mirror); `make install TORCH_INDEX=` skips it and takes torch from pip's configured index; a CUDA
# build: TORCH_INDEX=https://download.pytorch.org/whl/cu128 (the CUDA version you have). Then the package with the
# extras `make test` needs (experiments, lab, docs, test), Ray, so that the tests of `mlabs grid --backend ray` run
# (tests/test_ray.py), and the Lightning and torchdata extras, for tests/test_lightning.py and the resume tests of
# tests/test_distributed.py.
PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
TORCH       ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
STAMP       := $(VENV)/.mlabs-installed
LAB_PORT    ?= 8888      # the first port `make lab` tries; JupyterLab takes the next free one when it is busy

.PHONY: demo test slow figures sync bench install report docs lab

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps "$(TORCH)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev,ray,lightning,torchdata]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mlabs demo

# The full check: library in sync with the notebooks, then every notebook and every test file under pytest.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist load tests

sync: $(STAMP)
	$(BIN)/nbdev-export && $(BIN)/nbdev-clean

# The cells flagged `#| slow` (long trainings, full benchmarks, liac-arff on every file) with all the others, every
# notebook top to bottom; figures go to a temporary folder. Far longer than `make test` (the slow cells are the ones
# that do not fit the default run). Measured: it passed in 45 min of wall time on a 2-core machine shared with a
# two-process grid run (31 CPU-minutes over its two workers, 11 GB peak memory); a slow cell may take up to an hour
# on a busy machine, hence the cell limit. Run it on an idle machine.
slow: $(STAMP)
	MLABS_FIGURES=$$(mktemp -d) $(BIN)/nbdev-test --flags slow --n-workers 2 --cell-timeout 3600

# Redraw the committed figures: every notebook, slow cells included, writing into figures/.
figures: $(STAMP)
	MLABS_FIGURES=$(CURDIR)/figures $(BIN)/nbdev-test --flags slow --n-workers 2 --cell-timeout 3600

# The default benchmark set (fits in 4 GB) on one torch thread; `mlabs bench --list` names them all.
bench: $(STAMP)
	$(BIN)/mlabs bench --threads 1

# Tables 2-4 and the figures of each grid from the one record store (results/records; a grid's records are the keys
# its config expands to: `mlabs grid configs/<grid>.toml --out results`), tables in results/<grid>/tables, then the
# statistics and experiment notebooks rerun with their outputs saved.
report: $(STAMP)
	for g in quick cpu benchmark converged; do $(BIN)/mlabs report results --config configs/$$g.toml --figures figures || exit 1; done
	for nb in nbs/22_stats.ipynb nbs/30_report.ipynb nbs/3[1-9]_*.ipynb nbs/index.ipynb; do $(BIN)/nbdev-test $$nb --save || exit 1; done
	$(BIN)/nbdev-clean
	$(BIN)/python tools/nb2md.py nbs/index.ipynb README.md

# The docs site from the notebooks (tools/docs.py): _docs/site/index.html, no warnings allowed.
docs: $(STAMP)
	$(BIN)/python tools/docs.py

# JupyterLab on this environment: the notebooks name the kernel "mlabs", registered here for .venv's Python. As root
# (the default user in containers) JupyterLab refuses to start without --allow-root, so it is added then.
lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name mlabs --display-name mlabs > /dev/null
	$(BIN)/jupyter lab --no-browser --port=$(strip $(LAB_PORT)) $(if $(filter 0,$(shell id -u)),--allow-root) nbs/index.ipynb
