"""The benchmark of batch selection strategies: its config names every strategy, its committed records are exactly
the config's runs, and the leaderboard in the repository is what `mlabs report` computes from them, checked
against an independent computation of the ranks and the Friedman statistic."""
from pathlib import Path
import json
import numpy as np
import pytest
from scipy.stats import friedmanchisquare, rankdata

from mlabs.selection import BENCHMARK_STRATEGIES
from mlabs.config import load_grid
from mlabs.store import load_records, record_path

ROOT = Path(__file__).resolve().parents[1]
CONFIG, STORE, TABLES = ROOT/"configs"/"benchmark.toml", ROOT/"results", ROOT/"results"/"benchmark"/"tables"


@pytest.fixture(scope="module")
def configs(): return load_grid(CONFIG)


@pytest.fixture(scope="module")
def records(configs):
    "The grid's records, read (and checked) from the one store."
    return {r["key"]: r for r in load_records(STORE, [c.key for c in configs])}


def test_config_names_every_strategy(configs):
    assert {c.strategy for c in configs} == set(BENCHMARK_STRATEGIES)
    assert {c.model for c in configs} == {"dela", "clif", "c2ae", "mpvae"}
    from mlabs.selection import LABEL_TERM_STRATEGIES            # the loss-side strategies need a BCE label term
    assert {c.model for c in configs if c.strategy in LABEL_TERM_STRATEGIES} == {"dela", "clif"}
    assert {c.fold for c in configs} == set(range(5))


def test_every_run_of_the_config_is_stored(configs, records):
    keys = {c.key for c in configs}
    assert set(records) == keys, f"missing {len(keys - set(records))} of {len(keys)}"


def _macro_auc_cells(keys, strategies):
    "Mean test Macro-AUC over folds per (dataset, model) and strategy, for the cells that have every strategy, without mlabs.stats."
    acc = {}
    for k in keys:
        r = json.loads(record_path(STORE, k).read_text()); c = r["config"]
        acc.setdefault((c["dataset"], c["model"]), {}).setdefault(c["strategy"], []).append(r["metrics"]["test"]["macro_auc"])
    strategies = sorted(strategies)
    cells = sorted(cell for cell, v in acc.items() if all(len(v.get(s, [])) == 5 for s in strategies))
    return cells, strategies, np.array([[np.mean(acc[cell][s]) for s in strategies] for cell in cells])


@pytest.mark.parametrize("board", ["all", "samplers"])
def test_leaderboard_ranks_and_friedman_independently(records, board):
    from mlabs.stats import records_frame, leaderboard
    from mlabs.selection import LABEL_TERM_STRATEGIES
    chosen = [s for s in BENCHMARK_STRATEGIES if board == "all" or s not in LABEL_TERM_STRATEGIES]
    cells, strategies, M = _macro_auc_cells(records, chosen)
    assert len(cells) == (8 if board == "all" else 16)
    ranks = np.array([rankdata(-row) for row in M])               # 1 = best, ties averaged
    lb, tests = leaderboard(records_frame(list(records.values())), ["macro_auc"], strategies=None if board == "all" else chosen)
    ours = lb.set_index("strategy").avg_rank
    np.testing.assert_allclose([ours[s] for s in strategies], ranks.mean(0), atol=1e-12)
    t = tests.iloc[0]
    assert int(t.cells) == len(cells) and int(t.strategies) == len(strategies)
    if not any(len(set(row)) < len(row) for row in M):          # no ties: scipy's statistic is Demsar's formula
        np.testing.assert_allclose(t.chi2_F, friedmanchisquare(*M.T).statistic, rtol=1e-9)


def test_committed_leaderboard_is_regenerated(configs, tmp_path):
    from mlabs.report import report
    out = report(STORE, figures_dir=tmp_path/"figs", tables_dir=tmp_path/"tables", n_boot=200,
                 keys=[c.key for c in configs], name="benchmark")
    assert {"leaderboard_cd", "leaderboard_samplers_cd"} <= set(out["figures"])
    for name in ("leaderboard.md", "leaderboard_samplers.md"):
        assert (tmp_path/"tables"/name).read_text() == (TABLES/name).read_text()
