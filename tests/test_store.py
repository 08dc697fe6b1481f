"""The committed record store: every record is sound, its key recomputes from its stored config and names its file, every
record belongs to a grid of configs/, and the grids that are complete hold every run they expand to."""
import json
from pathlib import Path
import pytest
from mlabs.config import RunConfig, load_grid
from mlabs.store import load_records, scan_records

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT/"results"
COMPLETE = ["quick", "cpu", "benchmark"]   # grids whose every run is committed (converged joins when its grid is done)


@pytest.fixture(scope="module")
def records() -> dict:
    good, bad = scan_records(STORE)
    assert not bad, f"corrupt records: {[str(e) for e in bad[:3]]}"
    return good


@pytest.fixture(scope="module")
def grids() -> dict:
    return {p.stem: {c.key for c in load_grid(p)} for p in sorted((ROOT/"configs").glob("*.toml"))}


def test_keys_recompute_from_the_stored_configs(records):
    "The key is the hash of the stored config's JSON form, and the file's name; the JSON form round-trips unchanged."
    assert len(records) >= 1500
    for key, r in records.items():
        c = RunConfig.from_dict(r["config"])
        assert c.key == key == r["key"] and c.to_dict() == r["config"], key


def test_every_record_belongs_to_a_grid(records, grids):
    "One store shared by the grids, no copies, and nothing stored that no config asks for."
    known = set().union(*grids.values())
    extra = sorted(set(records) - known)
    assert not extra, f"{len(extra)} records belong to no config in configs/, e.g. {extra[:3]}"


@pytest.mark.parametrize("name", COMPLETE)
def test_complete_grids_hold_every_run(records, grids, name):
    missing = grids[name] - set(records)
    assert not missing, f"{name}: {len(missing)} of {len(grids[name])} runs missing"


def test_records_are_strict_json():
    "No NaN or Infinity tokens in any committed record (other JSON readers refuse them)."
    for p in (STORE/"records").glob("*.json"):
        txt = p.read_text()
        assert "NaN" not in txt and "Infinity" not in txt, p.name
