"""The PDF report: the HTML report printed by headless Chromium (A4, page numbers, CJK fonts embedded).

Chromium (or Google Chrome / Microsoft Edge) prints the self-contained HTML file with its own
``--print-to-pdf``: the charts are SVG, so they stay vector graphics and their labels stay text; the
fonts used are embedded as subsets (a CJK font from the report's font stack — Noto Sans CJK,
WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC — must be installed, or Chinese text would print as
empty boxes: :func:`cjk_font_available` checks on Linux).  Page numbers and the running SYNTHETIC label
are CSS ``@page`` margin boxes, which Chromium prints since version 131; the browser's own header and
footer (date, file URL) are switched off.

The browser is found in ``$HQD_CHROMIUM``, then on ``PATH`` (``chromium``, ``chromium-browser``,
``google-chrome``, ``google-chrome-stable``, ``chrome``, ``msedge``), then in the usual install
folders of macOS and Windows.  No network access is needed or allowed: the HTML holds everything, and
the browser runs with a throw-away profile and background networking disabled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hqd.errors import HqdError, Problem

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")
_PLACES = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
#: Seconds allowed for printing before the browser is stopped.
TIMEOUT = 120


def find_chromium() -> str:
    """The path of a Chromium-family browser; ``chromium_not_found`` when there is none."""
    configured = os.environ.get("HQD_CHROMIUM")
    if configured:
        if Path(configured).is_file() or shutil.which(configured):
            return shutil.which(configured) or configured
        raise HqdError([Problem("chromium_not_found", f"HQD_CHROMIUM names no browser: {configured}",
                                file=configured)])
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    for place in _PLACES:
        if Path(place).is_file():
            return place
    raise HqdError("no Chromium, Chrome or Edge found to print the PDF: install one (Debian: apt install "
                   "chromium fonts-wqy-microhei) or set HQD_CHROMIUM to its path", code="chromium_not_found")


def cjk_font_available() -> bool | None:
    """True when fontconfig knows a font covering Chinese; None where that cannot be asked (no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(done.stdout.strip())


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, *, browser: str | None = None) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; returns the PDF's path."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    if cjk_font_available() is False:
        raise HqdError("no font covering Chinese is installed: the PDF would show empty boxes. Install one "
                       "(Debian: apt install fonts-wqy-microhei or fonts-noto-cjk)", code="cjk_font_missing")
    executable = browser or find_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hqd-chromium-") as profile:
        command = [
            executable, "--headless", "--disable-gpu", "--disable-background-networking", "--disable-extensions",
            "--disable-sync", "--no-first-run", "--no-default-browser-check", "--mute-audio",
            "--disable-component-update", "--hide-scrollbars", f"--user-data-dir={profile}",
            "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000",
            f"--print-to-pdf={pdf_path}", html_path.as_uri(),
        ]
        if sys.platform.startswith("linux"):
            # Chromium refuses to start as root with its sandbox, and containers often lack the user
            # namespaces it needs; the page printed is our own file, escaped, with no network access.
            command.insert(1, "--no-sandbox")
        if pdf_path.exists():
            pdf_path.unlink()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise HqdError(f"Chromium did not finish printing within {TIMEOUT} s", code="pdf_failed") from None
        except OSError as exc:
            raise HqdError(f"cannot start {executable}: {exc}", code="chromium_not_found") from None
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
        raise HqdError(f"Chromium failed to print the PDF (exit {done.returncode}): {tail}", code="pdf_failed")
    return pdf_path
