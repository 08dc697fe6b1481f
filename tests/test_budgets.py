"""mlabs.budgets on small synthetic records whose every number is computed here by hand (or by scipy where scipy has
the test), plus one real check: a run's budget-E view equals the record of the same run trained for E epochs.

Hand-written references and why: the corrected resampled t-test is not in scipy (its statistic is written out here
from Nadeau and Bengio's formula; scipy supplies only the t distribution); the plain t-test, the sign-flip test, the
sign test and the Wilcoxon test are checked against scipy.stats (ttest_1samp, permutation_test, binomtest, wilcoxon)
and, where small, against enumeration with itertools; Holm's adjustment is checked against a hand-worked example.
"""
import itertools, math
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from mlabs.budgets import (MARGINS, TOLERANCE, AREA, budget_metrics, budget_frame, pair_runs, paired_budgets,
                           cell_inference, aa_diffs, with_floor, false_positive_rates, time_to_target, target_summary,
                           val_area, paired_area, across_datasets, convergence_check, holm, sign_flip_p, corrected_t,
                           simulate_differences, interval_coverage, best_epoch)
from mlabs.metrics import METRICS

N_TRAIN, N_TEST = 400, 100          # split sizes: n_test / n_train = 0.25


def record(strategy, seed, fold, val, test_auc, se=None, arm_seed=0, warmup="w", curves=True, dataset="x",
           split=None, step_s=1.0, select_s=0.0, epochs=None, warmup_epochs=2, protocol="official"):
    """A complete record, written out field by field: validation Macro-AUC per epoch (the unrounded history and, rounded,
    the curve), the test Macro-AUC curve, Ranking loss = 1 - test Macro-AUC, every other metric a constant 0.3."""
    E = epochs or len(val)
    cfg = dict(dataset=dataset, model="dela", strategy=strategy, se=se, fold=fold, folds=5, seed=seed, epochs=E,
               warmup_epochs=warmup_epochs, batch_size=128, lr=1e-3, protocol=protocol, hparams={"hidden": 8})
    if arm_seed: cfg["arm_seed"] = arm_seed
    key = f"{dataset}-{strategy}-{se}-{arm_seed}-{seed}-{fold}-{E}"

    def curves_of(auc):
        c = {m: [0.3] * E for m in METRICS}
        c["macro_auc"] = [round(v, 6) for v in auc]
        c["ranking_loss"] = [round(1 - v, 6) for v in auc]
        return c
    cur = {"val": curves_of(val), "test": curves_of(test_auc)}
    best = int(np.argmax(val))
    rec = {"key": key, "config": cfg, "best_epoch": best,
           "metrics": {p: {m: cur[p][m][best] for m in METRICS} for p in ("val", "test")},
           "history": {"val_macro_auc": list(val), "time_select_s": [select_s] * E, "time_step_s": [step_s] * E,
                       "time_eval_s": [0.5] * E, "train_loss": [1.0] * E},
           "split": {"n_train": N_TRAIN, "n_val": N_TEST, "n_test": N_TEST, "sha256": split or f"s{seed}{fold}"}}
    if curves:
        rec["curves"] = cur
        rec["warmup_sha256"] = f"{warmup}{seed}{fold}"
    return rec


# One cell, 2 seeds x 2 folds, 6 epochs (2 of warm-up). Validation curves are shared shapes; test Macro-AUC at the
# best validation epoch differs per pair so that the paired gains are (at the full length) 0.02, 0.01, 0 (a tie) and
# 0.03, and at budget 4 all 0 (the best epoch among 1..4 is epoch 2, inside the warm-up, the same for both arms).
VAL = [0.60, 0.70, 0.65, 0.70, 0.72, 0.71]      # best among 1..4: epoch 2 (first max); among 1..6: epoch 5
GAINS = [0.02, 0.01, 0.0, 0.03]


def cell_records(gains=GAINS, dataset="x", **kw):
    recs = []
    for i, g in enumerate(gains):
        seed, fold = divmod(i, 2)
        test_r = [0.5, 0.55, 0.56, 0.57, 0.60 + 0.01 * i, 0.6]
        test_a = list(test_r); test_a[4] = test_r[4] + g
        recs.append(record("random", seed, fold, VAL, test_r, dataset=dataset, **kw))
        recs.append(record("adaptive", seed, fold, VAL, test_a, se=8.0, dataset=dataset, **kw))
    return recs


# --- 1. budgets ---------------------------------------------------------------------------------------------------
def test_budget_view_by_hand():
    r = record("random", 0, 0, VAL, [0.5, 0.55, 0.56, 0.57, 0.61, 0.6])
    assert best_epoch(VAL, 4) == 1 and best_epoch(VAL) == 4
    assert budget_metrics(r, 4)["test"]["macro_auc"] == 0.55
    assert budget_metrics(r, 4)["test"]["ranking_loss"] == 0.45
    assert budget_metrics(r, 1)["epoch"] == 0
    assert budget_metrics(r, 6)["test"] == r["metrics"]["test"] and budget_metrics(r, 6)["val"] == r["metrics"]["val"]


def test_unrounded_history_chooses_the_epoch():
    # the curve rounds 0.7000001 and 0.7000004 to the same 0.7; the unrounded history says the second is better
    r = record("random", 0, 0, [0.6, 0.7000001, 0.7000004], [0.5, 0.6, 0.65])
    assert r["curves"]["val"]["macro_auc"][1] == r["curves"]["val"]["macro_auc"][2]
    assert budget_metrics(r, 3)["epoch"] == 2 and budget_metrics(r, 3)["test"]["macro_auc"] == 0.65


def test_records_without_curves_are_skipped_with_a_reason():
    old = record("random", 0, 0, VAL, [0.5] * 6, curves=False)
    f = budget_frame([old], budgets=(2, 4, 10))
    assert sorted(set(f.budget)) == [6]
    assert f.attrs["skipped"] == [f"record {old['key']} has no curves: budgets 2, 4 skipped"]
    with pytest.raises(ValueError, match="has no per-epoch curves"):
        budget_metrics(old, 4)
    # pairing still works and says the warm-up could not be checked
    p = pair_runs([old, record("adaptive", 0, 0, VAL, [0.5] * 6, se=8.0, curves=False)])
    assert p.warmup_checked.tolist() == [False]


# --- 2. pairs -----------------------------------------------------------------------------------------------------
def test_pairing_and_gains_by_hand():
    d = paired_budgets(cell_records(), budgets=(4,))
    auc = d[(d.split == "test") & (d.metric == "macro_auc")].pivot_table(index=["seed", "fold"], columns="budget", values="gain")
    assert np.allclose(auc[6].to_numpy(), GAINS, atol=1e-12) and np.all(auc[4].to_numpy() == 0)
    rl = d[(d.split == "test") & (d.metric == "ranking_loss") & (d.budget == 6)].gain.to_numpy()
    assert np.allclose(rl, GAINS, atol=1e-12)                     # lower is better: the same gains
    assert (d[d.metric == "hamming_loss"].gain == 0).all()       # equal constants: ties, not wins
    assert d.warmup_checked.all() and set(d.se) == {8.0}


def test_a_floating_point_difference_is_a_tie():
    a = record("random", 0, 0, [0.6, 0.7], [0.1 + 0.2, 0.1 + 0.2], warmup_epochs=1)
    b = record("adaptive", 0, 0, [0.6, 0.7], [0.3, 0.3], se=8.0, warmup_epochs=1)
    a["curves"]["test"]["macro_auc"] = [0.1 + 0.2] * 2           # unrounded, so the difference is -5.6e-17
    d = paired_budgets([a, b], budgets=())
    assert (0.3 - (0.1 + 0.2)) != 0
    assert d[(d.split == "test") & (d.metric == "macro_auc")].gain.tolist() == [0.0]


def test_warmup_mismatch_is_refused():
    recs = cell_records()
    recs[3] = record("adaptive", 0, 1, VAL, [0.5] * 6, se=8.0, warmup="elsewhere")
    with pytest.raises(ValueError, match=r"cell dataset=x, model=dela, protocol=official, batch_size=128, epochs=6, "
                                         r"se=8.0, seed=0, fold=1: the arms' warm-ups differ"):
        pair_runs(recs)
    recs[3] = record("adaptive", 0, 1, VAL, [0.5] * 6, se=8.0, split="other")
    with pytest.raises(ValueError, match="same split"):
        pair_runs(recs)


def test_two_grids_in_one_cell_are_refused():
    recs = cell_records() + [record("random", 0, 0, VAL, [0.5] * 6, warmup_epochs=3)]
    with pytest.raises(ValueError, match="two runs of arm a that differ in warmup_epochs"):
        pair_runs(recs)


# --- 3. per-cell inference ----------------------------------------------------------------------------------------
def test_corrected_t_by_hand_and_scipy():
    d = np.array(GAINS)
    n, m, s = 4, d.mean(), d.std(ddof=1)                          # mean 0.015, s = 0.012910
    se = s * math.sqrt(1 / n + N_TEST / N_TRAIN)                  # Nadeau and Bengio's correction
    ci = cell_inference(paired_budgets(cell_records(), budgets=()), n_boot=0)
    row = ci[(ci.split == "test") & (ci.metric == "macro_auc")].iloc[0]
    assert row.n == 4 and row.gain == pytest.approx(m) and row.stderr == pytest.approx(se)
    assert row.t == pytest.approx(m / se) and row.p == pytest.approx(2 * stats.t.sf(m / se, 3))
    q = stats.t.ppf(0.975, 3)
    assert (row.lo, row.hi) == (pytest.approx(m - q * se), pytest.approx(m + q * se))
    assert row.p_naive == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    # sign-flip, by enumeration of the 16 patterns (the zero flips to itself) and by scipy
    sums = [abs(sum(sg * x for sg, x in zip(signs, d))) for signs in itertools.product([1, -1], repeat=4)]
    assert row.p_perm == pytest.approx(np.mean([x >= d.sum() - 1e-12 for x in sums]))
    assert row.p_perm == pytest.approx(stats.permutation_test((d,), np.mean, permutation_type="samples").pvalue)
    # TOST at the Macro-AUC margin: the larger of the two one-sided p
    dl = MARGINS["macro_auc"]
    assert row.p_tost == pytest.approx(max(stats.t.sf((m + dl) / se, 3), stats.t.cdf((m - dl) / se, 3)))
    assert (row.wins, row.ties, row.losses) == (3, 1, 0) and row.verdict == "inconclusive"


def test_corrected_t_without_correction_is_scipys():
    d = np.array([0.004, -0.001, 0.006, 0.002, 0.003])
    c, r = corrected_t(d), stats.ttest_1samp(d, 0)
    assert c["t"] == pytest.approx(r.statistic) and c["p"] == pytest.approx(r.pvalue)
    assert (c["lo"], c["hi"]) == (pytest.approx(r.confidence_interval().low), pytest.approx(r.confidence_interval().high))


def test_holm_by_hand():
    # p = 0.01, 0.04, 0.03, 0.2: sorted 0.01, 0.03, 0.04, 0.2 times 4, 3, 2, 1 = 0.04, 0.09, 0.08, 0.2 -> monotone 0.04, 0.09, 0.09, 0.2
    assert np.allclose(holm([0.01, 0.04, 0.03, 0.2]), [0.04, 0.09, 0.09, 0.2])
    assert np.isnan(holm([np.nan, 0.01])[0]) and holm([np.nan, 0.01])[1] == pytest.approx(0.01)


def test_holm_and_verdicts_across_cells():
    # three cells of 15 pairs: gains exactly 0.01 + small symmetric jitter, exactly -0.01 + jitter, 0 + jitter
    jitter = np.tile([-0.001, 0.0, 0.001], 5)
    recs = (cell_records(0.01 + jitter, dataset="up") + cell_records(-0.01 + jitter, dataset="down")
            + cell_records(jitter, dataset="flat"))
    ci = cell_inference(paired_budgets(recs, budgets=()), n_boot=0)
    auc = ci[(ci.split == "test") & (ci.metric == "macro_auc")].set_index("dataset")
    assert auc.verdict.to_dict() == {"down": "behind", "flat": "equivalent", "up": "ahead"}
    p = auc.p.to_numpy(); o = np.argsort(p)
    expect = np.maximum.accumulate(np.minimum(1, (3 - np.arange(3)) * p[o]))
    assert np.allclose(auc.p_holm.to_numpy()[o], expect)


# --- 4. the A/A floor ---------------------------------------------------------------------------------------------
def test_floor_beside_the_gain_and_false_positive_rates():
    recs = cell_records()
    for i, g in enumerate([0.004, -0.002, 0.0, 0.002]):           # replicate minus random
        seed, fold = divmod(i, 2)
        test_r = [0.5, 0.55, 0.56, 0.57, 0.60 + 0.01 * i, 0.6]
        t = list(test_r); t[4] += g
        recs.append(record("random", seed, fold, VAL, t, arm_seed=1))
    aa = cell_inference(aa_diffs(recs, budgets=()), n_boot=0)
    f = aa[(aa.split == "test") & (aa.metric == "macro_auc")].iloc[0]
    d = np.array([0.004, -0.002, 0.0, 0.002])
    assert f.gain == pytest.approx(d.mean()) and f.sd == pytest.approx(d.std(ddof=1)) and np.isnan(f.se)
    w = with_floor(cell_inference(paired_budgets(recs, budgets=()), n_boot=0), aa)
    row = w[(w.split == "test") & (w.metric == "macro_auc")].iloc[0]
    assert row.floor_mean == pytest.approx(d.mean()) and row.floor_n == 4
    assert row.noise_share == pytest.approx(d.var(ddof=1) / np.var(GAINS, ddof=1))
    # false-positive rates on a frame of four hand-made A/A cells: p = 0.01, 0.2, 0.04, 0.5 (one family)
    fake = pd.DataFrame(dict(split="test", metric="macro_auc", budget=6, p=[0.01, 0.2, 0.04, 0.5],
                             p_holm=holm([0.01, 0.2, 0.04, 0.5]), p_naive=[0.001, 0.01, 0.02, 0.3],
                             p_naive_holm=holm([0.001, 0.01, 0.02, 0.3]), p_perm=[0.06, 0.5, 0.5, 0.5],
                             p_perm_holm=1.0, boot_lo=[0.001, -1, -1, -1], boot_hi=1.0))
    fp = false_positive_rates(fake).set_index(["test", "holm"])
    assert fp.loc[("corrected t", False), "called"] == 2 and fp.loc[("corrected t", True), "called"] == 1   # 0.04 x 3 = 0.12
    assert fp.loc[("plain t", False), "rate"] == 0.75 and fp.loc[("plain t", True), "called"] == 3          # 0.004, 0.03, 0.04
    assert fp.loc[("sign-flip", False), "called"] == 0 and fp.loc[("bootstrap (approximate)", False), "called"] == 1


# --- 5. time to target ----------------------------------------------------------------------------------------------
def test_time_to_target_by_hand_with_a_run_that_never_reaches():
    # random peaks at 0.72 (epoch 5): target 0.72 - 0.005 = 0.715, random first reaches it in epoch 5
    ra = record("random", 0, 0, VAL, [0.5] * 6)
    fast = record("adaptive", 0, 0, [0.6, 0.7, 0.716, 0.7, 0.7, 0.7], [0.5] * 6, se=8.0, select_s=0.5)
    rb = record("random", 0, 1, VAL, [0.5] * 6)
    never = record("adaptive", 0, 1, [0.6, 0.7, 0.71, 0.714, 0.7, 0.7], [0.5] * 6, se=8.0)
    t = time_to_target([ra, fast, rb, never]).set_index("fold")
    assert TOLERANCE == 0.005 and t.target.tolist() == pytest.approx([0.715, 0.715])
    assert t.epochs_a.tolist() == [5.0, 5.0] and t.epochs_b.tolist() == [3.0, math.inf]
    assert t.seconds_a.tolist() == [5.0, 5.0] and t.seconds_b[0] == 4.5 and t.seconds_b[1] == math.inf
    assert t.ratio_epochs.tolist() == [0.6, math.inf] and t.reached_b.tolist() == [True, False]
    s = target_summary(t.reset_index()).iloc[0]
    assert (s.n, s.faster, s.same, s.slower) == (2, 1, 0, 1) and s.reached_b == 0.5
    assert s.p_sign == pytest.approx(stats.binomtest(1, 2).pvalue) == 1.0
    assert s.median_ratio_epochs == math.inf                       # (0.6 + inf) / 2


def test_time_to_target_on_older_records():
    # the history suffices: records without curves or warm-up digest still have a time to target
    t = time_to_target([record("random", 0, 0, VAL, [0.5] * 6, curves=False),
                        record("adaptive", 0, 0, VAL, [0.5] * 6, se=8.0, curves=False)])
    assert t.ratio_epochs.tolist() == [1.0] and t.warmup_checked.tolist() == [False]


# --- 6. area --------------------------------------------------------------------------------------------------------
def test_area_by_hand():
    r = record("random", 0, 0, VAL, [0.5] * 6)                     # warm-up 2: mean of 0.65, 0.70, 0.72, 0.71
    assert val_area(r) == pytest.approx((0.65 + 0.70 + 0.72 + 0.71) / 4)
    assert val_area(r, after_warmup=False) == pytest.approx(np.mean(VAL))
    b = record("adaptive", 0, 0, [0.6, 0.7, 0.69, 0.74, 0.72, 0.75], [0.5] * 6, se=8.0)
    d = paired_area([r, b], budgets=(4,))
    assert d.metric.unique().tolist() == [AREA] and d.budget.tolist() == [4, 6]
    assert d.gain.tolist() == pytest.approx([(0.04 + 0.04) / 2, (0.04 + 0.04 + 0.0 + 0.04) / 4])


# --- 7. across data sets --------------------------------------------------------------------------------------------
def _inference(gains):
    return pd.DataFrame(dict(dataset=[f"d{i}" for i in range(len(gains))], model="dela", protocol="official",
                             batch_size=128, epochs=100, se=8.0, budget=100, split="test", metric="macro_auc", gain=gains))


def test_wilcoxon_across_datasets():
    g = [0.01, -0.004, 0.03, 0.02, 0.05, 0.015, 0.04]
    w = across_datasets(_inference(g)).iloc[0]
    assert w.p == pytest.approx(stats.wilcoxon(g).pvalue) and w.p_min == pytest.approx(2 / 2 ** 7)
    assert w.verdict == "win" and (w.wins, w.losses, w.ties) == (6, 1, 0)
    five = across_datasets(_inference([0.01, 0.02, 0.03, 0.04, 1e-13, 0.05])).iloc[0]   # 1e-13: a tie, dropped
    assert five.ties == 1 and five.p == pytest.approx(2 / 32) and five.p_min == pytest.approx(2 / 32)
    assert five.verdict == "tie (too few data sets)"
    mixed = across_datasets(_inference([0.01, -0.02, 0.03, -0.04, 0.05, -0.06, 0.07])).iloc[0]
    assert mixed.verdict == "tie" and mixed.p_min < 0.05


# --- 8. convergence -------------------------------------------------------------------------------------------------
def test_convergence_check_by_hand():
    def peak(e, E=20, dataset="x"):                                # best validation epoch e (1-based) of E
        return record("random", 0, e, [0.5] * (e - 1) + [0.9] + [0.6] * (E - e), [0.5] * E, dataset=dataset)
    c = convergence_check([peak(20), peak(19), peak(18), peak(5), peak(20, dataset="y"), peak(3, dataset="y")])
    c = c.set_index("dataset")
    assert c.loc["x", ["runs", "late"]].tolist() == [4, 2] and c.loc["x", "flagged"]    # epochs 19, 20 of 20: late
    assert c.loc["y", "share"] == 0.5 and c.loc["y", "flagged"]
    c3 = convergence_check([peak(20), peak(5), peak(6)]).iloc[0]
    assert c3.share == pytest.approx(1 / 3) and not c3.flagged                      # a third is not "more than"


# --- 9. coverage (loose: the printed table is in the notebook) ------------------------------------------------------
def test_coverage_simulation_loose():
    D, shift, r = simulate_differences(reps=600, n=1000, train_sd=0.0, test_sd=1.0, run_sd=1.0)
    c = interval_coverage(D, 0.0, r, n_boot=300)
    assert D.shape == (600, 15) and r == pytest.approx(100 / 800)
    assert c["corrected t"] >= 0.93 and c["bootstrap"] < c["corrected t"] and c["plain t"] < c["corrected t"]
    assert sign_flip_p([0.01, 0.02, 0.03]) == pytest.approx(0.25)


# --- truncation is exact: the budget-E view of a 2E-epoch run is the E-epoch run ---------------------------------------
def test_truncation_is_exact():
    from mlabs.config import make_config
    from mlabs.runner import run_unit
    unit = lambda E: run_unit([make_config("yeast", "c2ae", s, fold=1, epochs=E, warmup_epochs=2) for s in ("random", "adaptive")])
    short, long = unit(3), unit(6)
    for s, l in zip(short, long):
        assert l["history"]["val_macro_auc"][:3] == s["history"]["val_macro_auc"]
        v = budget_metrics(l, 3)
        assert v["epoch"] == s["best_epoch"]
        for p in ("val", "test"):
            assert [v[p][m] for m in METRICS] == pytest.approx([s["metrics"][p][m] for m in METRICS], abs=1e-6)


def test_a_run_recorded_twice_with_other_diagnostics_is_one_run():
    recs = cell_records()
    twin = record("random", 0, 0, VAL, [0.5, 0.55, 0.56, 0.57, 0.60, 0.6])
    twin["config"]["loss_density_epochs"] = [2, 5]; twin["key"] = "twin"
    assert pair_runs(recs + [twin]).key_a.tolist() == pair_runs(recs).key_a.tolist()
    twin["metrics"]["test"]["macro_auc"] = 0.1                        # not the same run after all
    with pytest.raises(ValueError, match="two runs of arm a that differ in loss_density_epochs"):
        pair_runs(recs + [twin])


def test_holm_families_are_per_grid_length():
    short = cell_records(dataset="x"); long = cell_records(dataset="x", epochs=None)
    for r in long:                                                    # the same cell, run as a 7-epoch grid
        r["config"]["epochs"] = 7; r["key"] += "-7"
        for p in ("val", "test"):
            for m in METRICS: r["curves"][p][m].append(r["curves"][p][m][-1])
        r["history"]["val_macro_auc"].append(0.0)
    ci = cell_inference(paired_budgets(short + long, budgets=(6,)), n_boot=0)
    auc = ci[(ci.split == "test") & (ci.metric == "macro_auc") & (ci.budget == 6)]
    assert sorted(auc.epochs) == [6, 7] and np.allclose(auc.p_holm, auc.p)   # one cell in each family: unchanged
