"""Move top-level imports out of notebook cells that mix them with other code, into a cell of their own just above.

nbdev's docs step (`nbdev-proc-nbs`, `tools/docs.py`) runs every cell that imports something, so that `show_doc`
can see the names; a cell that imports and also computes (trains a model, loads a data set, tests names defined in
cells that are not run) is then run out of context, which is slow or fails. After the split only the imports run.
Exported cells are left alone (nbdev runs them anyway). Outputs stay with the code that made them.
Usage: python tools/split_imports.py [NOTEBOOK ...]   (default: every notebook in nbs/); --check lists, changes nothing
"""
import ast, json, re, secrets, sys
from pathlib import Path

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)")
_EXPORTS = {"export", "exports", "exporti", "default_exp"}

def _src(cell) -> str: return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]

def _parse(src: str):
    "Top-level statements of a cell, IPython magics and shell lines blanked (line numbers kept); None if not Python."
    lines = ["" if l.lstrip().startswith(("%", "!")) else l for l in src.splitlines()]
    try: return ast.parse("\n".join(lines)).body
    except SyntaxError: return None

def mixed(cell) -> bool:
    "Does this code cell have top-level imports beside top-level expressions or assignments (nbdev's warning)?"
    if cell["cell_type"] != "code": return False
    src = _src(cell)
    if {m.group(1) for l in src.splitlines() if (m := _DIRECTIVE.match(l))} & _EXPORTS: return False
    body = _parse(src)
    if not body: return False
    imp = (ast.Import, ast.ImportFrom)
    return any(isinstance(s, imp) for s in body) and any(isinstance(s, (ast.Expr, ast.Assign)) for s in body)

def _one_statement_a_line(src: str) -> str:
    "`import a; a.use(x)` becomes two lines, so that the import can move (top-level one-line statements only)."
    lines, body = src.splitlines(), _parse(src)
    starts = {}
    for s in body: starts.setdefault(s.lineno, []).append(s)
    for ln, ss in sorted(starts.items(), reverse=True):
        if len(ss) < 2 or any(s.end_lineno != ln for s in ss): continue
        line = lines[ln - 1]
        lines[ln - 1:ln] = [line[s.col_offset:s.end_col_offset] for s in ss]
    return "\n".join(lines)

def split(cell):
    "(import cell, rest cell) for a mixed cell, or None when an import shares a line with other code."
    src = _one_statement_a_line(_src(cell)); lines = src.splitlines()
    body = _parse(src)
    imp_lines, other_lines = set(), set()
    for s in body:
        rng = set(range(s.lineno - 1, s.end_lineno))
        (imp_lines if isinstance(s, (ast.Import, ast.ImportFrom)) else other_lines).update(rng)
    if imp_lines & other_lines: return None
    directives = [l for l in lines if _DIRECTIVE.match(l)]
    imports = [l for i, l in enumerate(lines) if i in imp_lines]
    rest = [l for i, l in enumerate(lines) if i not in imp_lines]
    while rest and not rest[0].strip(): rest.pop(0)
    new = {"cell_type": "code", "execution_count": None, "id": secrets.token_hex(4), "metadata": {}, "outputs": [],
           "source": "\n".join(directives + imports)}
    cell = dict(cell, source="\n".join(rest))
    return new, cell

def fix_notebook(path: Path, check: bool = False) -> list[str]:
    "Split every mixed cell of the notebook at `path`; returns one line per cell found."
    nb = json.loads(path.read_text())
    cells, found = [], []
    for i, c in enumerate(nb["cells"]):
        if not mixed(c): cells.append(c); continue
        r = split(c)
        found.append(f"{path.name} cell {i}" + ("" if r else " (import shares a line with code: edit by hand)"))
        cells.extend(r if r and not check else [c])
    if found and not check:
        nb["cells"] = cells
        tmp = path.with_suffix(".tmp"); tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return found

if __name__ == "__main__":
    check = "--check" in sys.argv
    paths = [Path(a) for a in sys.argv[1:] if a != "--check"] or sorted(Path("nbs").glob("*.ipynb"))
    found = [f for p in paths for f in fix_notebook(p, check)]
    print("\n".join(found) or "no cell mixes imports and other code")
    sys.exit(1 if check and found else 0)
