"""Screenshots of the built docs site, for reviews: figures/docs-*.png (the home page, an API entry, Eq. 4 on the
local imbalance page, the DELA page's formulas and API, the experiments page's verdicts and tables).

Headless Chromium (the system's, driven by Playwright; no browser download) 1280 wide, each page scrolled to
its element after MathJax has typeset every formula, downscaled to 960 pixels wide and saved as 256-colour PNGs
(about 100 KB each).
Usage: make docs && python tools/docs_shots.py [SITE_DIR]
"""
import io, shutil, sys
from pathlib import Path
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SHOTS = [("docs-home.png", "index.html", None, 900),                    # page, element to scroll to (CSS), height
         ("docs-api.png", "selection.html", "#selectionsampler", 900),
         ("docs-eq4.png", "local_imbalance.html", "#the-equations", 900),
         ("docs-dela.png", "dela.html", "#dela", 900),
         ("docs-experiments.png", "experiments.html", "#better-the-gain-at-every-budget", 1500)]   # verdicts, tables
WIDTH = 960

def main(site: Path, out: Path = ROOT / "figures"):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": 1280, "height": 900})
        for name, html, anchor, height in SHOTS:
            page.set_viewport_size({"width": 1280, "height": height})
            page.goto((site / html).as_uri())
            page.wait_for_load_state("load")
            page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.isReady", timeout=60_000)
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done()))")
            if anchor: page.evaluate(f"document.querySelector('{anchor}').scrollIntoView(); window.scrollBy(0, -70)")
            page.wait_for_timeout(500)
            img = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
            img = img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)
            img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out / name, optimize=True)
            print(f"{out / name}: {(out / name).stat().st_size // 1024} KB")
        b.close()

if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_docs" / "site")
