"""Debian's chromium driven by playwright, for the tests that look at pages in a real browser."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never `playwright install`
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser_skip_reason():
    """Why a browser test cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return "needs Debian's chromium (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright Python package (requirements-dev.txt)"
    return None
