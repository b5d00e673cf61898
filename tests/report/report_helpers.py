"""Helpers of the report tests (not fixtures): skipping without a browser or tool, opening a page offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("HQD_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (HQD_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def need_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} not installed (Debian: apt install poppler-utils)")
    return found


def open_offline(browser: Any, path: Path) -> tuple[Any, dict[str, list[str]]]:
    """Open ``path`` with every non-file request blocked; returns the page and what was seen."""
    seen: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = browser.new_page(viewport={"width": 900, "height": 1200})

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith("file:"):
            request_route.continue_()
        else:
            seen["blocked"].append(url)
            request_route.abort()

    def dialog(event: Any) -> None:
        seen["dialogs"].append(event.message)
        event.dismiss()

    page.route("**/*", route)
    page.on("console", lambda message: seen["errors"].append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri())
    return page, seen
