"""What a reader sees, in headless Chromium (the system's, driven by Playwright; no browser download): every page of
the docs site (formulas typeset without error, every file of the site found, no results block scrolling sideways),
the home page and an API page, and JupyterLab running a notebook and showing its figure.
Skipped when Chromium or Playwright is missing, except in CI (CI=true), where that is a failure (.ci/run installs
Chromium). Deselect with `-m "not browser"`. Screenshots go to a temporary folder (printed with -s)."""
import json, os, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest
from docsite import ROOT, built_site, copy_checkout

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try: from playwright.sync_api import sync_playwright
except ImportError: sync_playwright = None
if not (CHROMIUM and sync_playwright):
    if os.environ.get("CI"): raise RuntimeError("the browser tests need Chromium (apt-get install chromium) and playwright")
    pytest.skip("Chromium or Playwright missing", allow_module_level=True)

NOTEBOOK = "05_convergence.ipynb"     # runs in about half a minute and draws one figure

@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()

@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    d = tmp_path_factory.mktemp("screenshots"); print(f"\nscreenshots in {d}")
    return d

def _images_ok(page) -> tuple[int, int]:
    "(images on the page, images that loaded with a size)"
    return page.evaluate("() => { const im = [...document.images]; "
                         "return [im.length, im.filter(i => i.complete && i.naturalWidth > 0).length]; }")

# --- every page ----------------------------------------------------------------------------------------------

VIEWPORT = {"width": 1280, "height": 900}    # a laptop's screen: the results must fit it without scrolling sideways

def _pages() -> list[str]:
    "The site's pages, by file name, from the notebooks (as the docs build names them: nbdev's names)."
    from nbdev.config import nbpath2html
    nbs = sorted(p for p in (ROOT / "nbs").glob("*.ipynb") if not p.name.startswith(("_", ".")))
    return ["index.html" if p.stem == "index" else nbpath2html(p).name for p in nbs]

# MathJax 2 marks a formula it could not typeset with an error node: MathJax_Error ("[Math Processing Error]", a
# failure of MathJax itself, e.g. a missing font table) or merror (a TeX error, e.g. an unknown command).
_MATH = """async () => {
    await new Promise(done => MathJax.Hub.Queue(() => done()));        // after every formula was typeset
    const errors = [...document.querySelectorAll('.MathJax_Error, .merror, .mjx-merror')]
        .map(e => e.closest('.arithmatex, .MathJax_Display, .MathJax') ? (e.closest('.arithmatex') || e).textContent : e.textContent);
    const raw = [...document.querySelectorAll('article .arithmatex')]        // a formula left as TeX source
        .filter(e => !e.querySelector('.MathJax, .MathJax_Display')).map(e => e.textContent.slice(0, 80));
    return {errors: errors.map(t => t.slice(0, 120)), raw, typeset: document.querySelectorAll('.MathJax, .MathJax_Display').length};
}"""
# Results: printed output (nb-out), HTML tables (nb-output), Markdown a cell printed (nb-md: Material wraps its
# tables in a scrolling md-typeset__scrollwrap), and figures. A block scrolls sideways when its content is wider.
_OVERFLOW = """() => [...document.querySelectorAll(
        'article .nb-out pre > code, article .nb-output, article .nb-md .md-typeset__scrollwrap, article .nb-md pre > code')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.closest('.nb-out, .nb-output, .nb-md').className}: ${e.scrollWidth}px in ${e.clientWidth}px: ` +
              e.textContent.trim().slice(0, 70).replace(/\\s+/g, ' '))"""
_FIGURES = """() => { const col = document.querySelector('article').getBoundingClientRect().width;
    return [...document.querySelectorAll('article img.nb-figure')].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0,
        Math.round(i.getBoundingClientRect().width), Math.round(col)]); }"""

@pytest.fixture(scope="module")
def site_dir():
    repo, r = built_site()
    assert r.returncode == 0, r.stdout[-3000:]
    return repo / "_docs" / "site"

@pytest.mark.parametrize("name", _pages())
def test_every_page(browser, site_dir, name):
    """The page loads every file of the site it asks for, its formulas typeset without error, no results block
    scrolls sideways at 1280 x 900, and its figures load and fit the column."""
    page = browser.new_page(viewport=VIEWPORT)
    failed = []                                  # files of the site the page asked for and did not get
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})") if r.url.startswith("file:") else None)
    page.on("response", lambda r: failed.append(f"{r.url} ({r.status})") if r.url.startswith("file:") and r.status >= 400 else None)
    page.goto((site_dir / name).as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.isReady", timeout=60_000)
    math = page.evaluate(_MATH)
    page.wait_for_timeout(200)                    # late requests (fonts) after the last formula
    assert not failed, f"{name}: files of the site not found: {failed}"
    assert not math["errors"], f"{name}: MathJax errors: {math['errors']}"
    assert not math["raw"], f"{name}: formulas left as TeX: {math['raw']}"
    over = page.evaluate(_OVERFLOW)
    assert not over, f"{name}: results blocks wider than the page: {over}"
    for src, ok, w, col in page.evaluate(_FIGURES):
        assert ok and w <= col, f"{name}: figure {src} loaded={ok}, {w}px in a {col}px column"
    page.close()

def test_the_checks_catch_faults(browser, tmp_path):
    "The checks above fail where they should: a formula MathJax cannot typeset, a missing file, a block too wide."
    site = built_site()[0] / "_docs" / "site"
    bad = tmp_path / "bad.html"
    html = (site / "local_imbalance.html").read_text()
    html = html.replace('<article class="md-content__inner md-typeset">', '<article class="md-content__inner md-typeset">'
        '<p><span class="arithmatex">\\(\\frac{1}{\\nosuchcommand}\\)</span></p><img src="missing.png">'
        '<div class="nb-output"><table><tr><td style="white-space: nowrap">' + "x " * 400 + '</td></tr></table></div>', 1)
    bad.write_text(html.replace('src="assets/', f'src="{(site / "assets").as_uri()}/').replace('href="assets/', f'href="{(site / "assets").as_uri()}/'))
    page = browser.new_page(viewport=VIEWPORT)
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith("file:") else None)
    page.goto(bad.as_uri()); page.wait_for_load_state("load")
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.isReady", timeout=60_000)
    math = page.evaluate(_MATH)
    assert any("nosuchcommand" in e for e in math["errors"]), math
    assert any(u.endswith("missing.png") for u in failed), failed
    assert any(o.startswith("nb-output") for o in page.evaluate(_OVERFLOW))
    page.close()

def test_home_page(browser, shots):
    repo, r = built_site()
    assert r.returncode == 0, r.stdout[-3000:]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((repo / "_docs/site/index.html").as_uri())
    assert page.locator("h1").first.inner_text().strip(" ¶\n") == "mlabs"
    body = page.locator("article").inner_text()
    for text in ("make test", "Command line", "DataLoader"): assert text in body
    nav = page.locator("nav.md-nav--primary").inner_text()
    assert "Batch selection" in nav and "Models" in nav
    n, ok = _images_ok(page)
    assert ok == n
    page.screenshot(path=shots / "home.png")

def test_api_page(browser, shots):
    repo, _ = built_site()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((repo / "_docs/site/selection.html").as_uri() + "#selectionsampler")
    entry = page.locator("#selectionsampler")
    assert entry.is_visible() and entry.inner_text().strip(" ¶\n") == "SelectionSampler"
    sig = entry.locator("xpath=following::pre[1]").inner_text()
    assert "batch_size:int=128" in sig and "**options" in sig                # the signature, typed (se ...: options)
    assert "selection pressure" in page.locator("article").inner_text()      # and what the parameters mean
    n, ok = _images_ok(page)
    assert ok == n                                                            # any figures of the page loaded
    page.screenshot(path=shots / "api.png")
    page.goto((repo / "_docs/site/samplers.html").as_uri())                  # the equations: Eq. 3, 6, 7
    page.wait_for_function("() => document.querySelectorAll('.MathJax, .MathJax_Display').length > 10", timeout=20_000)

def _free_port() -> int:
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

@pytest.fixture
def lab(tmp_path):
    "JupyterLab on a copy of the checkout, on a free localhost port, with the project's kernel; stopped by its pid."
    repo = copy_checkout(tmp_path / "repo")
    kdir = tmp_path / "jupyter" / "kernels" / "mlabs"; kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                                                           "{connection_file}"], "display_name": "mlabs", "language": "python"}))
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"; settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = _free_port(), "mlabs-test"
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "jupyter"), PYTHONPATH=str(repo),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), MPLBACKEND="module://matplotlib_inline.backend_inline")
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--IdentityProvider.token={token}", "--allow-root", f"--ServerApp.root_dir={repo}",
                             f"--LabApp.user_settings_dir={tmp_path / 'settings'}", "--LabApp.expose_app_in_browser=True"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try: urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2); break
            except OSError: time.sleep(0.5)
        else: raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-2000:])
        yield url, token, repo
    finally:
        os.killpg(proc.pid, signal.SIGTERM)          # the server we started and its kernels, by process group id
        try: proc.wait(timeout=20)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait()
        log.close()

def test_jupyterlab_runs_a_notebook(browser, shots, lab):
    url, token, repo = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/nbs/{NOTEBOOK}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    ready = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return k && k.name === 'mlabs' && w.sessionContext.kernelDisplayStatus === 'idle'; }"""
    try:      # the notebook names the project's kernel: it starts with no "Select Kernel" question
        page.wait_for_function(ready, timeout=90_000)
    except Exception:
        page.screenshot(path=shots / "jupyterlab-start.png"); raise
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(2000)
    page.wait_for_function(ready, timeout=300_000)
    cells = page.evaluate("""() => { const m = window.jupyterapp.shell.currentWidget.content.model, r = [];
        for (let i = 0; i < m.cells.length; i++) { const c = m.cells.get(i); if (c.type !== 'code') continue;
          const o = c.outputs, types = []; for (let j = 0; j < o.length; j++) types.push(o.get(j).type);
          r.push({n: c.executionCount, errors: types.filter(t => t === 'error').length}); } return r; }""")
    assert cells and all(c["n"] for c in cells), cells                 # every code cell ran
    assert sum(c["errors"] for c in cells) == 0, cells                  # and none failed
    figs = page.locator(".jp-RenderedImage img")
    assert figs.count() >= 1
    figs.first.scroll_into_view_if_needed()
    assert figs.first.evaluate("i => i.naturalWidth") > 100
    page.screenshot(path=shots / "jupyterlab.png")
