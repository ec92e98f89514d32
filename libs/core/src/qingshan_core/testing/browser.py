"""Browser fixtures: Playwright driving Debian's Chromium (`make install` adds the package).

A browser per session, a fresh context and page per test (1366×768 unless a test asks for a
phone), a screenshot of the page in `.run/<profile>/browser/` when a test fails, and `shoot` for
the screenshots the documentation shows. The stack the pages talk to is started with
deploy/local/services.py on the suite's profile, as `make run` starts it; nothing is faked.
Playwright never downloads a browser here: it launches the system binary as `executable_path`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from qingshan_core.testing.pytest_plugin import ROOT, profile

CHROMIUM = Path(os.environ.get("QINGSHAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SERVICES_SCRIPT = ROOT / "deploy" / "local" / "services.py"
FAILURES = ROOT / ".run" / profile() / "browser"


def local_script(name: str) -> ModuleType:
    """deploy/local/<name>.py, the scripts `make run` uses (not importable as a package)."""
    if name in _SCRIPTS:
        return _SCRIPTS[name]
    sys.path.insert(0, str(ROOT / "deploy" / "local"))
    path = ROOT / "deploy" / "local" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"qingshan_local_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    _SCRIPTS[name] = module
    return module


_SCRIPTS: dict[str, ModuleType] = {}


def http_port(name: str) -> int:
    """The HTTP port of a service (or the console) on the suite's profile."""
    script = local_script("services")
    port: int = script.ports(script.stack.PROFILES[profile()], name)[0]
    return port


def services(command: str, timeout: float = 240) -> None:
    """deploy/local/services.py on the suite's profile (`up` is idempotent and waits for
    every /readyz; `down` stops what it started)."""
    cmd = [sys.executable, str(SERVICES_SCRIPT), "--profile", profile(), command]
    subprocess.run(cmd, check=True, timeout=timeout, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def _stack_session(infra: dict[str, str]) -> Iterator[None]:
    services("up")
    yield
    services("down", timeout=90)


@pytest.fixture
def live_stack(_stack_session: None) -> None:
    """The services (and the console) running on the suite's profile; checked before every
    test, so a test that stopped them (tests/e2e does at its end) finds them started again."""
    services("up")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium binary; fails loudly when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` adds Debian's chromium", pytrace=False)
    return CHROMIUM


def _directory(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """One headless Chromium for the whole session."""
    async with async_playwright() as pw:
        b = await pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield b
        finally:
            await b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


async def new_page(browser: Browser, viewport: dict[str, int] | None = None) -> Page:
    """A page in a context of its own (own cookies), zh-CN, Beijing time."""
    context = await browser.new_context(
        viewport=viewport or DESKTOP,  # type: ignore[arg-type]
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(15_000)
    return await context.new_page()


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A desktop-sized page per test; its screenshot is kept when the test fails."""
    p = await new_page(browser)
    try:
        yield p
    finally:
        if request.node.stash.get(_FAILED, False):
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            try:
                path = _directory(FAILURES) / f"{name}.png"
                await p.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a crashed page still lets the test report its failure
                print(f"no failure screenshot for {name}: {exc!r}")
        await p.context.close()


async def shoot(page: Page, directory: Path, name: str, *, full_page: bool = False) -> Path:
    """A screenshot for the documentation: `<directory>/<name>.png` at the page's viewport."""
    path = _directory(directory) / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path
