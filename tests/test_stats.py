"Statistics and report on synthetic records, checked against numbers computed independently (by enumeration, by hand)."
import itertools, json
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from mlabs.core import atomic_write
from mlabs.stats import (records_frame, table2, table3, paired_diff, choose_se, aa_calibration, against_floor,
                         paper_tables, synthetic_records, wilcoxon_verdict)
from mlabs.config import config_key
from mlabs.report import report

OTHER = dict(macro_f1=.5, micro_f1=.5, macro_auc=.5, ranking_loss=.2, hamming_loss=.1, one_error=.3)

def rec(dataset, strategy, fold, values, se=None, seed=0, val=None):
    "A complete record with the given test metrics (validation ones default to the same; the others are constant)."
    cfg = dict(dataset=dataset, model="dela", strategy=strategy, se=se, fold=fold, folds=3, seed=seed, batch_size=128,
               protocol="official")
    return dict(key=config_key(cfg), config=cfg, metrics=dict(test={**OTHER, **values}, val={**OTHER, **(val or values)}),
                best_epoch=0, history=None, loss_density=None, own_loss_corr=None, version="test",
                machine=dict(cpu="test", gpu=None, torch_threads=1, device="cpu", torch="-"), wall_s=0., created="1970-01-01T00:00:00Z")

# Three data sets, three folds. Macro-AUC gains of adaptive over random per fold (b - a):
GAINS = {"A": [.01, .02, .03], "B": [.00, .00, .06], "C": [-.01, .00, .04]}
def three_datasets():
    recs = []
    for ds, g in GAINS.items():
        for k in range(3):
            base = .70 + .01 * k
            recs.append(rec(ds, "random", k, dict(macro_auc=base, hamming_loss=.10)))
            recs.append(rec(ds, "adaptive", k, dict(macro_auc=base + g[k], hamming_loss=.10 - g[k]), se=8.))
    return recs

def exact_wilcoxon_p(d):
    "Two-sided exact p of the signed-rank test by enumerating all 2^n sign patterns (no ties among |d| assumed)."
    d = np.asarray(d, float); d = d[d != 0]
    ranks = np.argsort(np.argsort(np.abs(d))) + 1
    w = ranks[d > 0].sum(); n = len(d); mu = n * (n + 1) / 4
    ws = [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=n)]
    return np.mean([abs(x - mu) >= abs(w - mu) - 1e-12 for x in ws])

def test_wilcoxon_three_datasets_by_enumeration():
    df = records_frame(three_datasets())
    t3 = table3(df).set_index("metric")
    means = [np.mean(g) for g in GAINS.values()]                  # 0.02, 0.02, 0.01: all positive
    assert np.allclose(means, [.02, .02, .01])
    p = exact_wilcoxon_p(np.array(means) + [0, 1e-9, 0])           # tie of |0.02| broken: same sign, same p
    assert p == pytest.approx(.25) and t3.loc["macro_auc", "p"] == pytest.approx(p)
    assert t3.loc["macro_auc", "verdict"] == "tie" and t3.loc["macro_auc", "wins"] == 3
    # Hamming loss went down by the same amounts: lower is better, so the same gains, the same verdict
    assert t3.loc["hamming_loss", "p"] == pytest.approx(.25) and t3.loc["hamming_loss", "wins"] == 3

def test_wilcoxon_matches_enumeration_on_mixed_signs():
    d = [.05, -.01, .03, .07, -.02, .04, .06, .08]
    v = wilcoxon_verdict(d)
    assert v["p"] == pytest.approx(exact_wilcoxon_p(d))
    assert (v["r_plus"], v["r_minus"]) == (33., 3.)              # ranks of 0.01 and 0.02 are 1 and 2
    assert v["verdict"] == "win" and v["p"] < .05

def test_paired_bootstrap_interval_by_enumeration():
    df = records_frame(three_datasets())
    p = paired_diff(df, n_boot=200000, seed=1).set_index(["dataset", "metric"])
    for ds, g in GAINS.items():
        means = np.array([np.mean(c) for c in itertools.product(g, repeat=3)])   # the 27 equally likely resamples
        lo, hi = np.quantile(means, [.025, .975], method="inverted_cdf")
        for m in ("macro_auc", "hamming_loss"):
            r = p.loc[(ds, m)]
            assert r.gain == pytest.approx(np.mean(g)) and r.K == 3
            assert (r.lo, r.hi) == (pytest.approx(lo), pytest.approx(hi))
    # C: gains -0.01, 0, 0.04: the interval [-0.01, 0.04] holds 0
    assert not p.loc[("C", "macro_auc"), "excludes_zero"]

def test_table2_means_and_sd_by_hand():
    t = table2(records_frame(three_datasets()))
    r = t.loc[("dela", "B")]
    assert r[("macro_auc", "random", "mean")] == pytest.approx(.71)               # 0.70, 0.71, 0.72
    assert r[("macro_auc", "random", "sd")] == pytest.approx(.01)
    assert r[("macro_auc", "adaptive", "mean")] == pytest.approx(.73)             # 0.70, 0.71, 0.78
    assert r[("macro_auc", "adaptive", "sd")] == pytest.approx(np.std([.70, .71, .78], ddof=1))

def test_se_chosen_on_validation_not_test():
    recs = []
    for k in range(3):
        recs.append(rec("A", "random", k, dict(macro_auc=.70)))
        recs.append(rec("A", "adaptive", k, dict(macro_auc=.72), se=2., val=dict(macro_auc=.80)))
        recs.append(rec("A", "adaptive", k, dict(macro_auc=.75), se=64., val=dict(macro_auc=.79)))
    df = records_frame(recs)
    c = choose_se(df).iloc[0]
    assert (c.se_val, c.se_test, c.gap) == (2., 64., pytest.approx(.03))
    assert table2(df).loc[("dela", "A"), ("macro_auc", "adaptive", "mean")] == pytest.approx(.72)
    assert table2(df, se="test").loc[("dela", "A"), ("macro_auc", "adaptive", "mean")] == pytest.approx(.75)

def test_aa_floor():
    recs = three_datasets()
    for k in range(3):                                  # a replicate of random: +0.005 Macro-AUC on data set A only
        for ds in GAINS:
            r = rec(ds, "random", k, dict(macro_auc=.70 + .01 * k + (.005 if ds == "A" else 0), hamming_loss=.10))
            r["config"]["arm_seed"] = 1; r["key"] = config_key(r["config"]); recs.append(r)
    df = records_frame(recs)
    aa = aa_calibration(df).set_index(["dataset", "metric"])
    # every pair differs by exactly 0.005 on A: the bootstrap interval is [0.005, 0.005], the floor 0.005; 0 on B
    assert aa.loc[("A", "macro_auc"), "floor"] == pytest.approx(.005) and aa.loc[("B", "macro_auc"), "floor"] == pytest.approx(0)
    assert aa.loc[("A", "macro_auc"), "K"] == 3
    assert len(aa_calibration(records_frame(three_datasets() + [rec("A", "random", 0, dict(macro_auc=.7), seed=1)]))) == 0
    c = against_floor(paired_diff(df, n_boot=1000), aa.reset_index()).set_index(["dataset", "metric"])
    assert c.loc[("A", "macro_auc"), "clears"] is True           # 0.02 > 0.005

def test_paper_values_against_the_paper_text():
    "Hand-picked cells, read off the paper's Tables 2, 3 and 4."
    t = paper_tables()
    def v(table, model, ds, metric, strategy):
        x = t[(t.table == table) & (t.model == model) & (t.dataset == ds) & (t.metric == metric) & (t.strategy == strategy)]
        assert len(x) == 1, (table, model, ds, metric, strategy); return x.value.iloc[0]
    assert v(2, "c2ae", "Corel5k", "macro_f1", "random") == .0702
    assert v(2, "mpvae", "scene", "one_error", "adaptive") == .1965
    assert v(2, "paca", "enron", "macro_auc", "adaptive") == .7391
    assert v(2, "clif", "tmc2007-500", "micro_f1", "random") == .6451
    assert v(2, "dela", "cal500", "ranking_loss", "adaptive") == .2273
    assert v(2, "dela", "yeast", "hamming_loss", "random") == .1975
    assert v(3, "dela", "all", "one_error", "adaptive_vs_random") == .1465
    assert v(3, "c2ae", "all", "macro_f1", "adaptive_vs_random") == .0002
    assert v(4, "dela", "yahoo-Business1-500", "macro_f1", "adac") == .3243
    assert v(4, "dela", "rcv1subset1-500", "macro_auc", "adaptive") == .9194
    assert set(t[t.table == 3].verdict) == {"win", "tie"} and (t[t.table == 3].verdict == "tie").sum() == 2
    # Table 4's Adaptive column repeats Table 2's DELA Adaptive where both are legible (Corel5k, cal500, yahoo-Business1)
    for ds in ("Corel5k", "cal500", "yahoo-Business1-500"):
        for m in ("macro_f1", "macro_auc", "one_error"):
            assert v(4, "dela", ds, m, "adaptive") == v(2, "dela", ds, m, "adaptive")

def test_report_on_a_fake_results_directory(tmp_path):
    recs = three_datasets()
    out = report(recs, figures_dir=tmp_path/"figs", tables_dir=tmp_path/"res"/"tables", n_boot=500)
    assert out["n_records"] == len(recs) and not out["figures"]          # no histories: every figure skipped
    t2 = pd.read_csv(tmp_path/"res"/"tables"/"table2.csv", header=[0, 1, 2], index_col=[0, 1])
    # independent mean of the adaptive Macro-AUC of data set C straight from the records' JSON
    vals = [json.loads(json.dumps(r)) for r in recs]
    c = [r["metrics"]["test"]["macro_auc"] for r in vals if r["config"]["dataset"] == "C" and r["config"]["strategy"] == "adaptive"]
    assert t2.loc[("dela", "C"), ("macro_auc", "adaptive", "mean")] == pytest.approx(np.mean(c))
    assert "tie (0.2500; min 0.2500) 3/0/0" in (tmp_path/"res"/"tables"/"table3.md").read_text()
    assert set(out["skipped"]) >= {"table4", "fig1_loss_density", "fig8_batch_size"}
    (tmp_path/"empty").mkdir()
    assert report(tmp_path/"empty")["n_records"] == 0
    (tmp_path/"res"/"records").mkdir(parents=True); (tmp_path/"res"/"records"/"broken.json").write_text("{")
    with pytest.raises(Exception, match="broken.json"): report(tmp_path/"res")

def test_report_writes_every_figure(tmp_path):
    recs = synthetic_records(strategies=("random", "hard", "adaptive"), se=(2., 8.), batch_sizes=(128, 256), folds=2,
                             history=True)
    out = report(recs, figures_dir=tmp_path/"figs", tables_dir=tmp_path/"tables", n_boot=200)
    assert sorted(out["figures"]) == ["fig1_loss_density", "fig3_convergence", "fig4_val_auc", "fig6_own_loss_corr",
                                      "fig7_se_sweep", "fig8_batch_size"]
    assert all(p.stat().st_size > 1000 and p.parent == tmp_path/"figs" for p in out["figures"].values())
