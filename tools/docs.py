"""Build the docs site from the notebooks, offline, failing on any broken link, anchor or image.

1. nbdev's own processing (`nbdev.serve.proc_nbs`, as `nbdev-proc-nbs` does, without its Quarto install) writes
   `_proc/`: front matter from each notebook's title cell, `show_doc` entries added for every exported name and run,
   exported and hidden cells removed, backticked names linked to their docs entries.
2. Each processed notebook becomes one Markdown page in `_docs/md/` (this file): directives dropped, saved outputs
   kept (text, tables, Markdown, figures written out as PNG/SVG files), `show_doc` headings given nbdev's anchors,
   links to the docs site, to notebooks and to repository files made relative so MkDocs can check them.
3. MkDocs + Material builds `_docs/site/` with `--strict` (mkdocs.yml; `_docs/mkdocs.yml` adds the navigation:
   one page per notebook, in notebook order, from the notebooks present). MathJax is served from the site itself.
   Each page's Markdown is also published as `name.html.md`, the address nbdev writes into module docstrings.

Usage: python tools/docs.py [--serve]      (`make docs`; open _docs/site/index.html)
"""
import json, os, re, shutil, subprocess, sys, tomllib
from base64 import b64decode
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_docs"
MD, SITE = OUT / "md", OUT / "site"
SECTIONS = {"0": "Data and method", "1": "Models", "2": "Training, command line, benchmarks", "3": "Experiments",
            "9": "For contributors"}
_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")
_LINK = re.compile(r"(!?\[[^\]]*\]\()(<[^>]*>|[^)\s]+)((?:\s+\"[^\"]*\")?\))")
_AUTO_LINK = re.compile(r"\[(`[^`\]]+`)\]\(([^)\s]+)\)")       # nbdev's add_links: [`name`](url#name)
_HTML_LINK = re.compile(r"""((?:href|src)=")([^"]+)(")""")

LIB = "mlabs"

# --- four fixes to nbdev's API entries, applied before its processing runs ---------------------------------------
# nbdev runs the processing in worker processes started with 'spawn'; a spawned worker imports this file again (as
# `__mp_main__`), so the fixes are applied at import time and hold in the workers too.

def _def_names(cell, shown: set) -> list[str]:
    """nbdev's `_def_names` (the names of a cell's definitions that still need an API entry), comparing the entry's
    own name with the `show_doc` calls already in the notebook. nbdev compares the bare `def` name, so a method added
    with `@patch` (`def forward(self: DELA)`, entry `DELA.forward`) that the notebook also shows with
    `show_doc(DELA.forward)` got a second, automatic entry: every such method was documented twice."""
    from fastcore.basics import concat
    from nbdev.processors import _def_types
    from nbdev.showdoc import showdoc_nm
    parsed, out = cell.parsed_(), []
    for o in concat(parsed) if parsed else []:
        if not isinstance(o, _def_types) or (o.name[0] == "_" and o.name[:2] != "__") or o.name in shown: continue
        nm = showdoc_nm(o)
        out += [n for n in (nm if isinstance(nm, list) else [nm]) if n not in shown]
    return out

def _unwrap_sym(sym, _orig=None):
    """fastcore's `_unwrap_sym` follows `__wrapped__` to the undecorated function; for a method added with `@patch`
    over another decorator (`@patch @torch.no_grad() def update(self: SelectionSampler ...)`) that inner function
    is still called `update`, so the entry lost its class and its source link. Keep the wrapper then: its signature,
    source and docstring are the inner function's (functools.wraps), its name is the class-qualified one."""
    import fastcore.docments as fd
    u = (_orig or fd._unwrap_sym_nbdev)(sym)
    q, qu = getattr(sym, "__qualname__", ""), getattr(u, "__qualname__", "")
    return sym if u is not sym and q.endswith("." + qu) and callable(sym) and not isinstance(sym, type) else u

def _getdoc(o) -> str | None:
    """`inspect.getdoc`, except that a docstring inherited from outside this package is not shown: a model's
    `forward` without a docstring of its own showed `torch.nn.Module.forward`'s, raw reStructuredText included."""
    import importlib, inspect
    d = inspect.getdoc(o)
    if d is None or getattr(o, "__doc__", None) or isinstance(o, type): return d
    mod, qual = getattr(o, "__module__", None), getattr(o, "__qualname__", "")
    cls_path, _, name = qual.rpartition(".")
    if not (mod and cls_path and "<" not in cls_path): return d
    try:
        cls = importlib.import_module(mod)
        for part in cls_path.split("."): cls = getattr(cls, part)
    except (ImportError, AttributeError): return d
    for base in getattr(cls, "__mro__", ())[1:]:
        f = base.__dict__.get(name)
        if f is not None and getattr(f, "__doc__", None):
            return d if (base.__module__ or "").split(".")[0] == LIB else None
    return d

def _code_link(self, sym: str) -> str | None:
    """nbdev's source link of `sym`; for a name defined in a package's `__init__.py` (`get_model` in
    `mlabs/models/__init__.py`, `__getattr__` in `mlabs/__init__.py`), which nbdev's index leaves out (it skips files
    whose name starts with an underscore), the link is made from that file's definition, in nbdev's form. (The
    processing shows a notebook's names as that notebook defines them, so `sym` is the bare name.)"""
    import ast
    res = type(self)._code_nbdev(self, sym)
    if res: return res
    parts = sym.split(".")
    if parts[0] == LIB: parts = [p for p in parts[1:] if p != "__init__"]
    repo = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"].rstrip("/")
    for f in sorted((ROOT / LIB).rglob("__init__.py")):
        body = ast.parse(f.read_text()).body
        for depth, part in enumerate(parts):
            node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                         and n.name == part), None)
            if node is None: break
            body = getattr(node, "body", [])
        else:
            line = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            return f"{repo}/blob/main/{f.relative_to(ROOT).as_posix()}#L{line}"
    return None

def _fix_nbdev():
    import fastcore.docments as fd, nbdev.processors as npr
    from nbdev.doclinks import NbdevLookup
    npr._def_names = _def_names
    if not hasattr(fd, "_unwrap_sym_nbdev"): fd._unwrap_sym_nbdev = fd._unwrap_sym
    fd._unwrap_sym = _unwrap_sym
    fd.getdoc = _getdoc
    if not hasattr(NbdevLookup, "_code_nbdev"): NbdevLookup._code_nbdev = NbdevLookup.code
    NbdevLookup.code = _code_link

_fix_nbdev()

def notebooks(nbs: Path) -> list[Path]:
    "The notebooks that become pages: index first, then the others in file-name (= reading) order."
    nbs_ = sorted(p for p in nbs.glob("*.ipynb") if not p.name.startswith(("_", ".")))
    return sorted(nbs_, key=lambda p: (p.stem != "index", p.name))

def _src(c) -> str: return "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "")
def _txt(v) -> str: return "".join(v) if isinstance(v, list) else v

def front_matter(nb: dict) -> dict:
    "The YAML front matter nbdev's processing puts in the first raw cell (title, description, output-file)."
    for c in nb["cells"]:
        s = _src(c).strip()
        if c["cell_type"] == "raw" and s.startswith("---"): return yaml.safe_load(s.strip("-")) or {}
    return {}

def description(nb_path: Path) -> str:
    """The notebook's description: every `>` line of its title cell, joined. nbdev's front matter keeps only the
    first line of a description written over several lines, so most pages showed a subtitle cut mid-sentence."""
    nb = json.loads(Path(nb_path).read_text())
    first = next((_src(c) for c in nb["cells"] if c["cell_type"] == "markdown"), "")
    return " ".join(l.lstrip(">").strip() for l in first.splitlines() if l.startswith(">")).strip()

class Page:
    "One docs page: the processed notebook, its Markdown file name and its title."
    def __init__(self, src: Path, proc: Path):
        self.src, self.nb = src, json.loads(proc.read_text())
        self.fm = front_matter(self.nb)
        self.description = description(src) or self.fm.get("description", "")
        self.name = "index" if src.stem == "index" else Path(self.fm.get("output-file", src.stem + ".html")).stem
        self.title = self.fm.get("title") or src.stem
        self.files: dict[str, bytes] = {}        # figure files written beside the page

class Links:
    "Rewrites link targets so that MkDocs can check them: docs-site URLs, notebooks and repository files."
    def __init__(self, pages: list[Page], doc_url: str):
        self.doc_url = doc_url.rstrip("/") + "/"
        self.by_nb = {p.src.name: p.name for p in pages}
        self.by_html = {p.name + ".html": p.name for p in pages}
        self.copies: dict[str, Path] = {}        # docs path -> repository file to copy

    def __call__(self, target: str) -> str:
        t = target.strip("<>")
        base, _, anchor = t.partition("#")
        anchor = "#" + anchor if anchor else ""
        if base.startswith(self.doc_url) or base.rstrip("/") + "/" == self.doc_url:
            rel = base[len(self.doc_url):] if base.startswith(self.doc_url) else ""
            rel = re.sub(r"\.html\.md$", ".html", rel) or "index.html"
            return (self.by_html.get(rel, rel[:-5] if rel.endswith(".html") else rel) + ".md" + anchor)
        if re.match(r"^[a-z][a-z0-9+.-]*:", base) or not base: return target     # other URLs, mailto:, #anchor
        name = Path(base).name
        if name in self.by_nb and base in (name, "nbs/" + name, "../nbs/" + name): return self.by_nb[name] + ".md" + anchor
        for cand in (ROOT / "nbs" / base, ROOT / base):
            cand = cand.resolve()
            if cand.is_file() and ROOT in cand.parents:
                rel = "files/" + cand.relative_to(ROOT).as_posix()
                self.copies[rel] = cand
                return rel + anchor
        return target          # left as written: MkDocs reports it if it is broken

    def text(self, md: str, anchors: dict[str, set] = None) -> str:
        "All links of a page rewritten; nbdev's automatic links to names without a docs entry become plain code."
        def auto(m):
            if anchors is not None and m[2].startswith(self.doc_url) and "#" in m[2]:
                page, a = self(m[2]).split("#", 1)
                if a not in anchors.get(page, ()): return m[1]
            return m[0]
        md = _AUTO_LINK.sub(auto, md)
        md = _LINK.sub(lambda m: m[1] + self(m[2]) + m[3], md)
        return _HTML_LINK.sub(lambda m: m[1] + self(m[2]) + m[3], md)

def _directives(src: str) -> tuple[dict, str]:
    d, keep = {}, []
    for line in src.splitlines():
        m = _DIRECTIVE.match(line)
        if m: d[m[1]] = m[2]
        else: keep.append(line)
    return d, "\n".join(keep).strip()

def _show_doc(md: str) -> str:
    "nbdev's show_doc Markdown for MkDocs: the source link as a class, headings with nbdev's anchors."
    md = re.sub(r"\{target=\"_blank\" style=\"[^\"]*\"\}", '{ .sd-source target="_blank" }', md)
    def head(m):
        name = m[2]; a = name.lower()
        # the heading's own slug is name.lower() when the name has no dot; an explicit id otherwise
        attr = f"#{a} .sd-name" if "." in a and "__" not in a else ".sd-name"
        return f"{m[1]} `{name}` {{ {attr} }}"
    return re.sub(r"^(#{2,4}) (\S+)\s*$", head, md, flags=re.M)

def html_table_chars(html: str) -> int:
    """Estimated width of an HTML table in characters: per column, its longest cell (a header counts by its longest
    piece, as it may break after an underscore or a space), plus two characters of padding. 0 without a table."""
    widths: dict[int, int] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        for j, (tag, cell) in enumerate(re.findall(r"<(th|td)[^>]*>(.*?)</t[hd]>", row, re.S)):
            text = re.sub(r"<[^>]+>", "", cell).strip()
            n = max(map(len, re.split(r"[_ ]", text))) if tag == "th" else len(text)
            widths[j] = max(widths.get(j, 0), n)
    return sum(w + 2 for w in widths.values())

def _html_block(html: str) -> str:
    """Raw HTML output (pandas tables) as one Markdown HTML block: no blank lines inside, inside a div. Column
    headers may break after an underscore (`paper_macro_auc`), and `--chars` (the table's estimated width) lets the
    page shrink the font of a wide table until it fits the column (extra.css)."""
    html = "\n".join(l for l in html.splitlines() if l.strip())
    chars = html_table_chars(html)
    html = re.sub(r"(<th[^>]*>)([^<]+)(</th>)", lambda m: m[1] + m[2].replace("_", "_<wbr>") + m[3], html)
    style = f' style="--chars: {chars}"' if chars else ""
    return f'<div class="nb-output"{style} markdown="0">\n{html}\n</div>'

_COLUMNS = re.compile(r"\S(?: {2,}\S.*?){2,}")     # a printed table's row: three cells or more, 2+ spaces apart

def table_width(text: str) -> int:
    """Characters in the longest row of a printed table (pandas `to_string`, aligned columns) in `text`, 0 when
    it holds none: the page sets such a block's font so that its rows fit the column unbroken, while printed
    sentences wrap (extra.css)."""
    rows = [len(l.rstrip()) for l in text.splitlines() if _COLUMNS.search(l.strip())]
    return max(rows) if len(rows) >= 2 else 0

def _text_out(text: str) -> str:
    "Printed output, set apart from the code above it (class nb-out; nb-table when it holds a printed table)."
    fence = "````" if "```" in text else "```"
    w = table_width(text)
    attrs = f'class="nb-out nb-table" style="--cols: {w}"' if w else 'class="nb-out"'
    return f'<div {attrs} markdown>\n\n{fence}text\n{text.rstrip()}\n{fence}\n\n</div>'

def png_width(raw: bytes) -> int | None:
    """The width in CSS pixels at which a PNG is as large as it was drawn: its pixel width over the resolution
    stored in its pHYs chunk (matplotlib writes the savefig dpi there), at 96 CSS pixels to the inch. None when
    the file does not say."""
    i = raw.find(b"pHYs")
    if raw[:8] != b"\x89PNG\r\n\x1a\n" or i < 0: return None
    w = int.from_bytes(raw[16:20], "big")
    ppx, unit = int.from_bytes(raw[i + 4:i + 8], "big"), raw[i + 12]
    if unit != 1 or ppx <= 0: return None
    return round(w / (ppx * 0.0254) * 96)

def cell_outputs(page: Page, c: dict, idx: int, asis: bool) -> list[str]:
    out = []
    for k, o in enumerate(c.get("outputs", [])):
        t = o["output_type"]
        if t == "stream":
            if o.get("name") == "stdout" and _txt(o["text"]).strip(): out.append(_text_out(_txt(o["text"])))
            continue
        if t == "error":
            out.append(_text_out(f"{o['ename']}: {o['evalue']}")); continue
        data = o.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            ext = "png" if "image/png" in data else "svg"
            raw = b64decode(_txt(data["image/png"])) if ext == "png" else _txt(data["image/svg+xml"]).encode()
            fn = f"{page.name}_files/cell{idx}_{k}.{ext}"
            page.files[fn] = raw
            w = png_width(raw) if ext == "png" else None       # drawn size, at most the column's width (extra.css)
            out.append(f"![Figure: output of a cell of {page.title}]({fn}){{ .nb-figure" + (f' width="{w}"' if w else "") + " }")
        elif "text/markdown" in data:
            md = _txt(data["text/markdown"]).strip()
            out.append(_show_doc(md) if asis or md.startswith("---") else f'<div class="nb-md" markdown>\n\n{md}\n\n</div>')
        elif "text/html" in data: out.append(_html_block(_txt(data["text/html"])))
        elif "text/latex" in data: out.append(_txt(data["text/latex"]).strip())
        elif "text/plain" in data: out.append(_text_out(_txt(data["text/plain"])))
    return out

def to_markdown(page: Page, links: Links) -> str:
    parts = [f"# {page.title}"]
    if page.description: parts.append(f'<p class="description" markdown>{page.description}</p>')
    for i, c in enumerate(page.nb["cells"]):
        src = _src(c)
        if c["cell_type"] == "raw": continue
        if c["cell_type"] == "markdown":
            if src.strip() and not src.strip().startswith("<!-- WARNING: THIS FILE WAS AUTOGENERATED"): parts.append(src.strip())
            continue
        d, code = _directives(src)
        if code and d.get("echo", "true").lower() != "false" and "hide_input" not in d:
            parts.append(f"```python\n{code}\n```")
        if d.get("output", "true").lower() != "false":
            parts.extend(cell_outputs(page, c, i, d.get("output") == "asis"))
    return "\n\n".join(_one_entry_per_name(parts)) + "\n"

def _one_entry_per_name(parts: list[str]) -> list[str]:
    """Each name documented once: where two API entries render the same heading (nbdev's automatic entry after a
    class and the notebook's own `show_doc` of an alias of it, `ChainSampler = AdaCSampler`), the last is kept,
    the one the notebook placed."""
    name = lambda p: (m := re.search(r"^#{2,4} `(\S+)` \{[^}]*\.sd-name \}", p, re.M)) and m[1]
    last = {name(p): i for i, p in enumerate(parts) if name(p)}
    return [p for i, p in enumerate(parts) if not name(p) or last[name(p)] == i]

def _write(path: Path, data: bytes):
    "Write only when changed, so MkDocs and the browser see stable files."
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data: path.write_bytes(data)

def nav(pages: list[Page]) -> list:
    "Home first, then one section per leading digit of the notebook names (SECTIONS), in notebook order."
    items, sections = [{"Home": "index.md"}], {}
    for p in pages[1:]:
        sec = SECTIONS.get(p.src.name[0], "More")
        if sec not in sections: sections[sec] = []; items.append({sec: sections[sec]})
        sections[sec].append({p.title: p.name + ".md"})
    return items

def mathjax_dir() -> Path:
    "MathJax 2, as the jupyter-server-mathjax package ships it (a dev dependency): the site needs no CDN."
    import jupyter_server_mathjax
    return Path(jupyter_server_mathjax.__file__).parent / "static"

def build(root: Path = ROOT, serve: bool = False) -> Path:
    global ROOT, OUT, MD, SITE
    ROOT = Path(root).resolve(); OUT = ROOT / "_docs"; MD, SITE = OUT / "md", OUT / "site"
    os.chdir(ROOT)
    from nbdev.serve import proc_nbs
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    cache = ROOT / "_proc"     # nbdev's cache of processed notebooks: redone when this file changed (the fixes above)
    stale = cache.exists() and cache.stat().st_mtime < Path(__file__).stat().st_mtime
    proc = proc_nbs(n_workers=int(os.environ.get("DOCS_WORKERS", 2)), force=stale)
    srcs = notebooks(ROOT / "nbs")
    pages = [Page(s, proc / s.name) for s in srcs]
    links = Links(pages, cfg["project"]["urls"]["Documentation"])
    keep, mds = set(), {p.name: to_markdown(p, links) for p in pages}
    anchors = {f"{n}.md": {m.lower() for m in re.findall(r"^#{2,4} `(\S+)` \{[^}]*\.sd-name \}", md, re.M)}
               for n, md in mds.items()}
    for p in pages:
        md = links.text(mds[p.name], anchors)
        _write(MD / f"{p.name}.md", md.encode()); keep.add(f"{p.name}.md")
        for fn, raw in p.files.items(): _write(MD / fn, raw); keep.add(fn)
    for rel, f in links.copies.items(): _write(MD / rel, f.read_bytes()); keep.add(rel)
    for f in (ROOT / "docs").rglob("*"):
        if f.is_file(): rel = f.relative_to(ROOT / "docs").as_posix(); _write(MD / rel, f.read_bytes()); keep.add(rel)
    mj = MD / "assets" / "mathjax"
    if not (mj / "MathJax.js").exists(): shutil.copytree(mathjax_dir(), mj, dirs_exist_ok=True)
    for f in list(MD.rglob("*")):           # pages of notebooks that were removed or renamed
        rel = f.relative_to(MD).as_posix()
        if f.is_file() and rel not in keep and not rel.startswith("assets/mathjax/"): f.unlink()
    conf = {"INHERIT": "../mkdocs.yml", "docs_dir": "md", "site_dir": "site", "nav": nav(pages)}
    _write(OUT / "mkdocs.yml", yaml.safe_dump(conf, sort_keys=False, allow_unicode=True).encode())
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    cmd = [sys.executable, "-m", "mkdocs", "serve" if serve else "build", "--strict", "-f", str(OUT / "mkdocs.yml")]
    r = subprocess.run(cmd, env=env, cwd=ROOT)
    if r.returncode: sys.exit(f"docs build failed (mkdocs exit {r.returncode}): see the WARNING lines above")
    if not serve:     # nbdev's Markdown twins (`Docs: .../selection.html.md` in each module's docstring) and llms.txt
        for p in pages: shutil.copyfile(MD / f"{p.name}.md", SITE / f"{p.name}.html.md")
        # Opened from disk (file://), Material's search asks for search/search_index.js instead of the .json it
        # cannot fetch there. Material's `offline` plugin writes it, but also adds a script from unpkg.com to every
        # page; the index as a script is all that is needed, so it is written here.
        idx = SITE / "search" / "search_index.json"
        if idx.exists(): (SITE / "search" / "search_index.js").write_text("var __index = " + idx.read_text())
        if (ROOT / "nbs" / "llms.txt").exists(): shutil.copyfile(ROOT / "nbs" / "llms.txt", SITE / "llms.txt")
    return SITE

if __name__ == "__main__":
    site = build(serve="--serve" in sys.argv)
    print(f"docs: {site / 'index.html'}")
