"""Write a notebook out as Markdown: used to generate README.md from nbs/index.ipynb without Quarto.

Markdown cells are copied, code cells become fenced Python blocks (nbdev directives removed), plain-text outputs
become fenced text blocks; cells marked `#| hide` and Quarto front-matter are skipped; `#| echo: false` drops a cell's code and keeps its output;
Markdown outputs (IPython.display.Markdown) are copied as Markdown. Links to notebooks
(`03_samplers.ipynb`, relative to nbs/) get the `nbs/` prefix they need from the repository's root.
Usage: python tools/nb2md.py nbs/index.ipynb README.md   (or --check to fail when README.md is stale)
"""
import json, re, sys
from pathlib import Path

_DIRECTIVE = re.compile(r"^\s*#\s*\|")

def _src(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s

def _md_out(cell) -> str:
    "Markdown outputs (IPython.display.Markdown), copied as they are."
    return "\n\n".join("".join(o["data"]["text/markdown"]).strip() for o in cell.get("outputs", [])
                       if "data" in o and "text/markdown" in o["data"])

def _text_out(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if "data" in o and "text/markdown" in o["data"]: continue
        if o.get("output_type") == "stream": parts.append("".join(o["text"]))
        elif "data" in o and "text/plain" in o["data"] and not any(k.startswith("image/") for k in o["data"]):
            parts.append("".join(o["data"]["text/plain"]) + "\n")
    return "".join(parts).rstrip("\n")

def nb2md(nb_path: Path) -> str:
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for cell in nb["cells"]:
        src = _src(cell)
        if cell["cell_type"] == "raw" or not src.strip(): continue
        lines = src.splitlines()
        directives = " ".join(l for l in lines if _DIRECTIVE.match(l))
        if re.search(r"\b(hide|exporti?)\b", directives): continue
        if cell["cell_type"] == "markdown":
            out.append(re.sub(r"\]\((\w[\w.-]*\.ipynb(#[^)]*)?)\)", r"](nbs/\1)", src.strip()))
            continue
        code = "\n".join(l for l in lines if not _DIRECTIVE.match(l)).strip()
        if code and not re.search(r"\becho:\s*false\b", directives): out.append(f"```python\n{code}\n```")
        txt = _text_out(cell)
        if txt: out.append(f"```\n{txt}\n```")
        md = _md_out(cell)
        if md: out.append(re.sub(r"\]\((\w[\w.-]*\.ipynb(#[^)]*)?)\)", r"](nbs/\1)", md))
    header = "<!-- Generated from nbs/index.ipynb by tools/nb2md.py: edit the notebook, not this file. -->"
    return header + "\n\n" + "\n\n".join(out) + "\n"

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--check"]
    src, dst = Path(args[0]), Path(args[1])
    md = nb2md(src)
    if "--check" in sys.argv:
        if not dst.exists() or dst.read_text() != md:
            sys.exit(f"{dst} is out of date with {src}: run `python tools/nb2md.py {src} {dst}`")
    else:
        tmp = dst.with_suffix(dst.suffix + ".tmp"); tmp.write_text(md); tmp.replace(dst)
