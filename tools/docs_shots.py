"""Screenshots of the built docs site for the README and reviews: figures/docs-home.png, docs-api.png, docs-figure.png.

Headless Chromium (the system's, driven by Playwright; no browser download), 1440x860, saved as 256-colour PNGs.
Usage: make docs && python tools/docs_shots.py [SITE_DIR]
"""
import io, shutil, sys
from pathlib import Path
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SHOTS = [("docs-home.png", "index.html", None),                         # page, element to scroll to (CSS)
         ("docs-api.png", "selection.html", "#selectionsampler"),
         ("docs-figure.png", "convergence.html", "img.nb-figure")]

def main(site: Path, out: Path = ROOT / "figures"):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": 1440, "height": 860})
        for name, html, anchor in SHOTS:
            page.goto((site / html).as_uri())
            page.wait_for_load_state("load")
            page.wait_for_function("() => !window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0")
            if anchor: page.evaluate(f"document.querySelector('{anchor}').scrollIntoView(); window.scrollBy(0, -90)")
            page.wait_for_timeout(500)
            img = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
            img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out / name, optimize=True)
            print(f"{out / name}: {(out / name).stat().st_size // 1024} KB")
        b.close()

if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_docs" / "site")
