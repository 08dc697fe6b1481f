# Two commands on a fresh machine: `make demo` and `make test`. Each creates the virtual environment in .venv
# and installs what it needs when it is missing. PyTorch is pinned to the 2.13.0 CPU wheel *before* the package
# is installed, so the package's `torch>=2.1` range is already satisfied and no CUDA build is downloaded. The
# optional Ray extra is installed too, so that the tests of `mlabs grid --backend ray` run (tests/test_ray.py), and the
# Lightning and torchdata extras, for tests/test_lightning.py and the resume tests of tests/test_distributed.py.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.mlabs-installed

.PHONY: demo test slow figures sync bench install report docs lab

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "$(TORCH)"
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

# Tables 2-4 and the figures from the committed records, then the statistics and experiment notebooks rerun with
# their outputs saved (the records come from `mlabs grid configs/quick.toml --out results/quick`, configs/cpu.toml and configs/benchmark.toml).
report: $(STAMP)
	for d in results/quick results/cpu results/benchmark; do if [ -d $$d/records ]; then $(BIN)/mlabs report $$d --figures figures || exit 1; fi; done
	for nb in nbs/22_stats.ipynb nbs/30_report.ipynb nbs/3[1-9]_*.ipynb nbs/index.ipynb; do $(BIN)/nbdev-test $$nb --save || exit 1; done
	$(BIN)/nbdev-clean
	$(BIN)/python tools/nb2md.py nbs/index.ipynb README.md

# The docs site from the notebooks (tools/docs.py): _docs/site/index.html, no warnings allowed.
docs: $(STAMP)
	$(BIN)/python tools/docs.py

# JupyterLab on this environment: the notebooks name the kernel "mlabs", registered here for .venv's Python.
lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name mlabs --display-name mlabs > /dev/null
	$(BIN)/jupyter lab nbs/index.ipynb
