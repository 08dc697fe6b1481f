"""Helpers for the tests that build and look at the docs site (test_docs.py, test_browser.py).

The site is built once per test run (pytest-xdist workers share it through a lock) from a copy of the checkout in
a temporary folder, so the tests never write into the repository; conftest.py removes it when the session ends.
"""
import fcntl, os, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def copy_checkout(dst: Path) -> Path:
    "Copy the files git knows of (tracked, or untracked and not ignored) to `dst`, keeping their times."
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\0")
    for f in filter(None, files):
        s = ROOT / f
        if s.is_file():
            (dst / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, dst / f)
    return dst

def build_docs(repo: Path) -> subprocess.CompletedProcess:
    "Run the docs build (`make docs`'s command) in `repo`; output captured."
    env = dict(os.environ, PYTHONPATH=str(repo), NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "tools/docs.py"], cwd=repo, env=env, capture_output=True, text=True)

def built_site() -> tuple[Path, subprocess.CompletedProcess]:
    "(the copy of the checkout with its built site under _docs/site, the build's result), built once per run."
    key = os.environ.get("MLABS_DOCS_KEY") or os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    base = Path(tempfile.gettempdir()) / f"mlabs-docs-{key}"
    base.mkdir(exist_ok=True)
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        repo, log = base / "repo", base / "build.log"
        if not log.exists():
            r = build_docs(copy_checkout(repo))
            log.write_text(f"{r.returncode}\n{r.stdout}\n{r.stderr}")
        rc, _, out = log.read_text().partition("\n")
    return repo, subprocess.CompletedProcess([], int(rc), out, "")
