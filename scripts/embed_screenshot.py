#!/usr/bin/env python3
"""Screenshots of the demo page (docs/img/embed_demo.png, embed_demo_catalogue.png) in Debian's headless Chromium.

    scripts/demo_site.sh in a terminal (DEMO_PORT=8765), then: .venv/bin/python scripts/embed_screenshot.py URL

Waits until both components say they are ready (``data-state``), fails on any Content-Security-Policy violation
or console error, and prints the time to the first rendered map.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        ctx = browser.new_context(viewport={"width": 1000, "height": 820})
        ctx.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                            "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")  # fmt: skip
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("odl-map[data-state=ready]", state="attached", timeout=30000)
        map_seconds = time.perf_counter() - start
        page.wait_for_selector("odl-catalogue[data-state=ready]", state="attached", timeout=30000)
        page.wait_for_timeout(500)
        page.screenshot(path=REPO / "docs/img/embed_demo.png")
        page.locator("odl-catalogue").screenshot(path=REPO / "docs/img/embed_demo_catalogue.png")
        violations = page.evaluate("() => window.__csp")
        browser.close()
    print(f"map ready in {map_seconds:.2f} s; CSP violations: {violations}; console errors: {errors}")
    return 1 if violations or errors else 0


if __name__ == "__main__":
    sys.exit(main())
