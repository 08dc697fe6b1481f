"""Records are frozen: a few small units of work, run again, must give exactly the records in
`tests/fixtures/frozen_records.json`, field by field (all but the wall times, the creation time, the machine and the
package version).

The fixture was written by the package *before* its training loops were merged into one (`python
tests/test_frozen_records.py --write` with commit dbbdb87's package) and is never rewritten by the tests: a change of
the loop, of the models' losses or of the runner that moves one digit of a record fails here, because the records of
a running grid must stay reproducible bit for bit. The three records of importance-weighted arms were written again,
and only they changed, when the samplers' importance mode moved to float64 (its draws had followed the CPU's vector
width; see tests/test_sampler_streams.py). The units cover every path a record can take through training: the
plain loss (C2AE, MPVAE), importance weights and every loss-side strategy on a model with a BCE label term (DELA,
PACA, CLIF), CLIF's label graph built from the training labels, and the authors' protocol (its own loop per arm).

The last digits of a run depend on the machine (CPU, its vector instructions, the BLAS libraries, torch's version),
so the comparison runs only where the fixture was written (`mlabs.runner.machine_info`), and is skipped elsewhere.
"""
import json, sys
from pathlib import Path
import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "frozen_records.json"
IGNORED = {"created", "wall_s", "warmup_wall_s", "machine", "version"}                  # when and where, not what
IGNORED_HISTORY = {"time_select_s", "time_step_s", "time_eval_s"}
SAME_MACHINE = ("cpu", "cpu_capability", "cpu_flags", "blas", "torch", "device")

# (dataset, model, strategies, options): one unit of work each, so each unit's strategies share one warm-up
UNITS = [
    ("cal500", "c2ae", ["random", "adaptive"], dict(epochs=4, warmup_epochs=2)),
    ("emotions", "mpvae", ["random", "hard"], dict(epochs=3, warmup_epochs=2)),
    ("yeast", "dela", ["random", "importance", "focal", "class_aware"], dict(epochs=5, warmup_epochs=2)),
    ("emotions", "paca", ["importance", "asl"], dict(epochs=3, warmup_epochs=2)),
    ("emotions", "clif", ["random", "focal", "importance"], dict(epochs=4, warmup_epochs=2)),
    ("emotions", "clif", ["random"], dict(epochs=3, warmup_epochs=2, protocol="authors")),     # the authors' arms differ
    ("emotions", "clif", ["adaptive"], dict(epochs=3, warmup_epochs=2, protocol="authors")),   # in weight decay: two units
]


def unit_configs() -> list[list]:
    from mlabs.config import make_config
    return [[make_config(ds, model, st, **opts) for st in strategies] for ds, model, strategies, opts in UNITS]


def run_units() -> list[dict]:
    from mlabs.runner import run_unit
    return [r for configs in unit_configs() for r in run_unit(configs)]


def comparable(rec: dict) -> dict:
    "The record without the fields that say when and where it was made."
    out = {k: v for k, v in rec.items() if k not in IGNORED}
    out["history"] = {k: v for k, v in rec["history"].items() if k not in IGNORED_HISTORY}
    return out


def same_machine(a: dict, b: dict) -> bool:
    return all(a.get(k) == b.get(k) for k in SAME_MACHINE)


@pytest.fixture(scope="module")
def frozen() -> list[dict]: return json.loads(FIXTURE.read_text())


def test_fixture_covers_the_units(frozen):
    "One record per (unit, strategy), in order, with the keys of today's configs (a config change shows here first)."
    keys = [c.key for configs in unit_configs() for c in configs]
    assert [r["key"] for r in frozen] == keys


def test_records_are_unchanged(frozen):
    from mlabs.runner import machine_info
    here = machine_info()
    if not same_machine(frozen[0]["machine"], here):
        pytest.skip(f"the fixture was written on another machine ({frozen[0]['machine']['cpu']}, "
                    f"{frozen[0]['machine'].get('cpu_capability')}); last digits differ between machines")
    new = run_units()
    for old, rec in zip(frozen, new, strict=True):
        a, b = comparable(old), comparable(rec)
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        diff += [f"history.{k}" for k in set(a["history"]) | set(b["history"]) if a["history"].get(k) != b["history"].get(k)]
        assert not diff, f"{old['config']['model']} {old['config']['strategy']} ({old['key']}): changed {diff}"


def test_comparison_sees_a_changed_digit(frozen):
    "The comparison itself: one changed batch loss or metric is a difference."
    a = comparable(frozen[0])
    b = json.loads(json.dumps(frozen[0]))
    b["history"]["batch_loss"][3] += 1e-12
    assert comparable(b) != a
    b = json.loads(json.dumps(frozen[0])); b["metrics"]["test"]["macro_auc"] += 1e-12
    assert comparable(b) != a
    b = json.loads(json.dumps(frozen[0])); b["wall_s"] += 1.0; b["history"]["time_step_s"][0] += 1.0
    assert comparable(b) == a


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import torch
    torch.set_num_threads(1)
    recs = run_units()
    FIXTURE.write_text(json.dumps(recs, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {len(recs)} records to {FIXTURE}")
