"""How readable the notebooks' code cells are, counted from the notebooks' JSON: per notebook and in total, the median
length of an exported cell, the exported cells over 40 lines, and the share of definition cells followed by an example.

    python tools/nb_stats.py [NB ...] [--json]

Rules (the same for every notebook, and for any other nbdev project's notebooks it is pointed at):
- a code cell is *exported* when one of its first three lines is an `#| export...` directive;
- its *lines* are its non-blank lines that are not directives (`#| ...`);
- a *definition cell* is an exported cell with a top-level `def`, `async def` or `class` (decorators included);
- it is *followed by an example* when the next code cell is not exported and is neither empty nor hidden (`#| hide`).
"""
from __future__ import annotations
import json, statistics, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONG = 40


def cells(nb: Path) -> list[list[str]]:
    "The code cells of a notebook, each as its list of source lines."
    data = json.loads(nb.read_text(encoding="utf-8"))
    return [("".join(c["source"])).splitlines() for c in data["cells"] if c["cell_type"] == "code"]


def is_exported(src: list[str]) -> bool:
    return any(l.strip().startswith("#| export") for l in src[:3])


def is_hidden(src: list[str]) -> bool:
    return any(l.strip() in ("#| hide", "#|hide") for l in src[:3])


def body(src: list[str]) -> list[str]:
    "The cell's non-blank lines that are not directives."
    return [l for l in src if l.strip() and not l.lstrip().startswith("#|")]


def is_definition(src: list[str]) -> bool:
    return any(l.startswith(("def ", "async def ", "class ")) for l in src)


def stats(nb: Path) -> dict:
    "The counts of one notebook."
    cs = cells(nb)
    exported = [body(c) for c in cs if is_exported(c)]
    defs = followed = 0
    for i, c in enumerate(cs):
        if not (is_exported(c) and is_definition(c)): continue
        defs += 1
        nxt = cs[i + 1] if i + 1 < len(cs) else None
        followed += nxt is not None and not is_exported(nxt) and not is_hidden(nxt) and bool(body(nxt))
    return dict(notebook=nb.name, exported=len(exported), lengths=[len(b) for b in exported],
                over_40=sum(len(b) > LONG for b in exported), definitions=defs, followed=followed,
                size_kb=round(nb.stat().st_size / 1024))


def summary(rows: list[dict]) -> dict:
    "Totals over notebooks: median exported cell, cells over 40 lines, share of definitions followed by an example."
    lengths = [n for r in rows for n in r["lengths"]]
    defs, fol = sum(r["definitions"] for r in rows), sum(r["followed"] for r in rows)
    return dict(notebooks=len(rows), exported=len(lengths), median_lines=statistics.median(lengths) if lengths else 0,
                over_40=sum(r["over_40"] for r in rows), definitions=defs, followed=fol,
                followed_share=round(fol / defs, 3) if defs else None,
                largest_kb=max((r["size_kb"] for r in rows), default=0))


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    paths = [Path(a) for a in argv if a != "--json"] or sorted((ROOT/"nbs").glob("*.ipynb"))
    rows = [stats(p) for p in paths]
    tot = summary(rows)
    if as_json:
        print(json.dumps({"notebooks": [{k: v for k, v in r.items() if k != "lengths"} for r in rows], "total": tot}, indent=1))
        return 0
    print(f"{'notebook':<28}{'exported':>9}{'median':>8}{'>40':>5}{'defs':>6}{'example':>9}{'KB':>7}")
    for r in rows:
        med = statistics.median(r["lengths"]) if r["lengths"] else 0
        share = f"{r['followed'] / r['definitions']:.0%}" if r["definitions"] else "-"
        print(f"{r['notebook']:<28}{r['exported']:>9}{med:>8g}{r['over_40']:>5}{r['definitions']:>6}{share:>9}{r['size_kb']:>7}")
    print(f"{'total':<28}{tot['exported']:>9}{tot['median_lines']:>8g}{tot['over_40']:>5}{tot['definitions']:>6}"
          f"{tot['followed_share']:>9.0%}{tot['largest_kb']:>7} (largest)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
