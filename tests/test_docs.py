"""The docs site (`make docs`): it builds with no warning under MkDocs' --strict link checks, every notebook is a page
with its title, its API entries and its figures, and a broken link in a notebook fails the build.
Skipped when MkDocs is not installed, except in CI (CI=true), where that is a failure. Deselect with `-m "not docs"`."""
import importlib.util, json, os, re, shutil
from pathlib import Path
import pytest
from docsite import ROOT, build_docs, built_site

pytestmark = pytest.mark.docs
if not all(importlib.util.find_spec(m) for m in ("mkdocs", "material", "jupyter_server_mathjax")):
    if os.environ.get("CI"): raise RuntimeError("the docs tests need the dev extras: pip install -e '.[dev]'")
    pytest.skip("MkDocs not installed (pip install -e '.[dev]')", allow_module_level=True)

NBS = sorted((ROOT / "nbs").glob("[0-9]*.ipynb"))

def _nb(p: Path) -> dict: return json.loads(p.read_text())
def _src(c) -> str: return "".join(c["source"])

def title(nb: dict) -> str:
    "The notebook's title: the `# ...` line of its first Markdown cell (nbdev's front matter)."
    first = next(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    return re.match(r"#\s+(.+)", first.strip())[1].strip()

def module(nb: dict) -> str | None:
    "The dotted name of the module the notebook exports (`mlabs` itself for `default_exp __init__`), or None."
    for c in nb["cells"]:
        m = re.search(r"^#\|\s*default_exp\s+(\S+)", _src(c), re.M)
        if m: return ".".join(["mlabs", *[p for p in m[1].split(".") if p != "__init__"]])

def page(nb_path: Path) -> str:
    "The page's file name, nbdev's: the notebook's name without its number."
    from nbdev.config import nbpath2html
    return nbpath2html(nb_path).name

def n_figures(nb: dict) -> int:
    "Figures the notebook's saved outputs show (cells the docs hide left out)."
    shown = [c for c in nb["cells"] if c["cell_type"] == "code"
             and not re.search(r"^#\|\s*(hide|export|exporti|exports)\s*$|^#\|\s*output:\s*false", _src(c), re.M)]
    return sum(any(k.startswith("image/") for k in o.get("data", {})) for c in shown for o in c.get("outputs", []))

@pytest.fixture(scope="module")
def site():
    repo, r = built_site()
    assert r.returncode == 0, r.stdout[-4000:]
    return repo / "_docs" / "site"

def test_builds_without_warnings(site):
    _, r = built_site()
    assert not re.search(r"^(WARNING|ERROR)\b", r.stdout, re.M), r.stdout[-4000:]
    assert (site / "index.html").exists() and (site / "search" / "search_index.json").exists()

def test_home_is_the_readme_notebook(site):
    html = (site / "index.html").read_text()
    readme = (ROOT / "README.md").read_text()
    for h in re.findall(r"^## (.+)$", readme, re.M):      # every README section is on the home page
        assert re.sub(r"`([^`]*)`", r"<code>\1</code>", h) in html, h

@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_page(site, nb):
    nbj, html = _nb(nb), (site / page(nb)).read_text()
    h1 = re.search(r"<h1[^>]*>(.*?)<", html, re.S)[1]
    assert h1.strip() == title(nbj).replace("&", "&amp;")
    # the page is in the navigation, which follows the notebooks' order
    assert f'href="{page(nb)}"' in (site / "index.html").read_text()
    mod = module(nbj)
    if mod:      # every public function and class of the module has its API entry (show_doc), with nbdev's anchor
        import importlib, inspect
        m = importlib.import_module(mod)
        for name in m.__all__:
            o = getattr(m, name)
            if not (inspect.isfunction(o) or inspect.isclass(o)): continue
            if mod == "mlabs": continue          # the package's names are entries of the pages that define them
            name = o.__name__            # an alias (ChainSampler = AdaCSampler) is documented under its own name
            assert f'id="{name.lower()}"' in html, f"{name}: no API entry on {page(nb)}"
    imgs = re.findall(r'<img[^>]*class="nb-figure"[^>]*src="([^"]+)"|<img[^>]*src="([^"]+)"[^>]*class="nb-figure"', html)
    assert len(imgs) == n_figures(nbj)
    for a, b in imgs: assert (site / (a or b)).stat().st_size > 1000

def test_api_entries_once_with_source(site):
    """Every API entry of every page names its object once, with its source link, and shows no docstring inherited
    from torch (nn.Module's reStructuredText): nbdev documented `@patch`ed methods twice and gave a method added with
    `@patch` over another decorator, or a name in a package's `__init__.py`, no class or no source link."""
    n = 0
    for md in sorted((site.parent / "md").glob("*.md")):
        text = md.read_text()
        heads = list(re.finditer(r"^#{2,4} `(\S+)` \{[^}]*\.sd-name \}", text, re.M))
        names = [h[1] for h in heads]
        assert len(names) == len(set(names)), f"{md.name}: documented twice: {sorted({x for x in names if names.count(x) > 1})}"
        for h in heads:
            assert "[source](" in text[max(0, h.start() - 300):h.start()], f"{md.name}: {h[1]} has no source link"
            n += 1
        assert ".. note::" not in text and ":class:`Module`" not in text, f"{md.name}: torch's docstring"
    assert n > 300, n
    # the entries the reader met twice or without a class: each once, with its class
    every = "\n".join(md.read_text() for md in (site.parent / "md").glob("*.md"))
    assert "### `BaseSampler.update`" in every and "### `update`" not in every     # @patch over @torch.no_grad()
    assert (site.parent / "md" / "dela.md").read_text().count("### `DELA.forward`") == 1

def test_module_docstring_links_resolve(site):
    "Every module's docstring ends with `Docs: <site>/<page>.html.md` (nbdev): that file is in the site."
    import importlib
    for mod in MODULES:
        if mod == "mlabs": continue              # the package's docstring is nbdev's list of the modules
        doc = importlib.import_module(mod).__doc__ or ""
        url = re.search(r"Docs: (\S+)", doc)[1]
        assert (site / url.rsplit("/", 1)[1]).is_file(), url

def test_nav_in_notebook_order(site):
    html = (site / "index.html").read_text()
    pos = [html.find(f'href="{page(nb)}"') for nb in NBS]
    assert all(p > 0 for p in pos) and pos == sorted(pos)

def test_broken_link_fails_the_build(site, tmp_path):
    "A notebook that links to a page or an anchor that does not exist stops the build, naming the link."
    repo = site.parents[1]
    shutil.copytree(repo, tmp_path / "repo", symlinks=True)    # keeps times, so only the edited notebook is redone
    nb_path = tmp_path / "repo" / "nbs" / NBS[-1].name
    nb = _nb(nb_path)
    nb["cells"].append({"cell_type": "markdown", "id": "0badf00d", "metadata": {},
                        "source": "See [the missing page](99_nowhere.ipynb) and [a missing entry](#no-such-entry)."})
    nb_path.write_text(json.dumps(nb, indent=1))
    r = build_docs(tmp_path / "repo")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "99_nowhere.ipynb" in out and "no-such-entry" in out
    assert "Aborted with 2 warnings in strict mode" in out

# --- the notebooks as nbdev's docs step and JupyterLab meet them, and help() -------------------------------------

ALL_NBS = sorted((ROOT / "nbs").glob("*.ipynb"))

def test_no_cell_mixes_imports_and_code():
    "nbdev's docs step runs every cell with a top-level import: imports stand in cells of their own."
    import subprocess, sys
    r = subprocess.run([sys.executable, "tools/split_imports.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout

@pytest.mark.parametrize("nb", ALL_NBS, ids=[p.stem for p in ALL_NBS])
def test_notebook_names_the_project_kernel(nb, tmp_path):
    "JupyterLab opens every notebook on the `mlabs` kernel (make lab registers it), and nbdev-clean keeps that."
    from nbdev.clean import clean_nb
    j = _nb(nb)
    assert j["metadata"].get("kernelspec", {}).get("name") == "mlabs"
    clean_nb(j)
    assert j["metadata"]["kernelspec"] == {"display_name": "mlabs", "language": "python", "name": "mlabs"}

def _public(mod):
    import importlib, inspect
    m = importlib.import_module(mod)
    for name in getattr(m, "__all__", []):
        o = getattr(m, name)
        if (inspect.isfunction(o) or inspect.isclass(o)) and o.__module__ == m.__name__: yield name, o

MODULES = sorted({module(_nb(p)) for p in NBS if module(_nb(p))})

@pytest.mark.parametrize("mod", MODULES)
def test_help_shows_parameters(mod):
    "help() on every public function and class shows what each commented parameter means (its docments)."
    import inspect, pydoc
    from fastcore.docments import docments
    n = 0
    for name, o in _public(mod):
        f = o.__init__ if inspect.isclass(o) and "__init__" in vars(o) else o
        try: d = docments(f, full=True)
        except (TypeError, OSError): continue
        text = " ".join(pydoc.render_doc(o, renderer=pydoc.plaintext).split())
        for k, v in d.items():
            if k in ("self", "return") or not v["docment"]: continue
            assert " ".join(v["docment"].split()) in text, f"help({name}) does not say what {k} is"
            n += 1
    print(f"{mod}: {n} parameter comments shown by help()")
