"""The notebooks' cell figures (tools/nb_stats.py): its counting rules on a notebook small enough to count by hand,
then the targets over nbs/: median exported cell <= 10 lines, at most 10 exported cells over 40 lines, at least 80%
of definition cells followed by an example, no notebook over 1 MB. The figures are printed (`pytest -s` shows them)."""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/"tools"))
import nb_stats


def _nb(path: Path, sources: list[str]) -> Path:
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [], "execution_count": None,
              "source": s.splitlines(keepends=True)} for i, s in enumerate(sources)]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_rules_by_hand(tmp_path):
    nb = _nb(tmp_path/"t.ipynb", [
        "#| export\ndef f(x):\n\n    return x",            # exported definition, 2 lines, followed by an example
        "f(1)",                                               # example
        "#| default_exp m\n#| export\nclass A: pass",        # exported definition (directive in line 2), 1 line
        "#| hide\nA()",                                       # hidden: not an example
        "#| exports\nX = 1\nY = 2\nZ = 3",                    # exported, no definition, 3 lines
        "#| export\n@patch\ndef g(self: A): pass",           # exported definition (decorated), 2 lines, last cell
    ])
    r = nb_stats.stats(nb)
    assert r["lengths"] == [2, 1, 3, 2]
    assert (r["exported"], r["definitions"], r["followed"], r["over_40"]) == (4, 3, 1, 0)
    s = nb_stats.summary([r])
    assert s["median_lines"] == 2 and s["followed_share"] == round(1/3, 3)


def test_long_cell_counted(tmp_path):
    nb = _nb(tmp_path/"long.ipynb", ["#| export\n" + "\n".join(f"x{i} = {i}" for i in range(41)), "x0"])
    assert nb_stats.stats(nb)["over_40"] == 1
    nb = _nb(tmp_path/"edge.ipynb", ["#| export\n" + "\n".join(f"x{i} = {i}" for i in range(40))])
    assert nb_stats.stats(nb)["over_40"] == 0


def test_targets_over_nbs():
    out = subprocess.run([sys.executable, str(ROOT/"tools"/"nb_stats.py")], capture_output=True, text=True, check=True)
    print(out.stdout)
    tot = nb_stats.summary([nb_stats.stats(p) for p in sorted((ROOT/"nbs").glob("*.ipynb"))])
    assert tot["median_lines"] <= 10, tot
    assert tot["over_40"] <= 10, tot
    assert tot["followed_share"] >= 0.80, tot
    big = [p.name for p in (ROOT/"nbs").glob("*.ipynb") if p.stat().st_size > 1_000_000]
    assert not big, f"notebooks over 1 MB: {big}"
