"""A real browser (Debian's chromium, driven by Playwright) against the real server (gunicorn, shipped configuration)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docgen.store.db import session_scope  # noqa: E402
from docgen.store.migrate import upgrade  # noqa: E402
from docgen.store.units import add_unit  # noqa: E402
from docgen.store.users import create_user  # noqa: E402

from conftest import SAMPLE_UNITS  # noqa: E402
from servers import ROOT, gunicorn  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery"
USERS = {"clerk": ("judicial", None, "张三"), "market": ("unit", "昌吉市市场监督管理局", "李四"),
         "transport": ("unit", "昌吉市交通运输局", "赵六"), "admin": ("admin", None, "王五")}

if not Path(CHROMIUM).exists():
    if os.environ.get("DOCGEN_REQUIRE_BROWSER"):
        raise RuntimeError("DOCGEN_REQUIRE_BROWSER is set but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("Debian chromium 未安装（apt-get install chromium；make test 会安装）", allow_module_level=True)

pytestmark = pytest.mark.slow


def fresh_registry(tmp_path_factory, name: str, users: dict[str, tuple[str, str | None, str]]) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    """A database of its own with the samples' units and these users (username → role, unit, display name)."""
    instance = tmp_path_factory.mktemp(name) / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        for unit_name, kind, codes, seal_mm in SAMPLE_UNITS:
            add_unit(session, unit_name, None, kind, codes, None, seal_mm)
        for username, (role, unit, display) in users.items():
            create_user(session, username, PASSWORD, role, unit, display)
    return url, instance


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """gunicorn on a fresh database with the samples' units and four users; the samples' dates are 'today'."""
    url, instance = fresh_registry(tmp_path_factory, "browser", USERS)
    env = {"DOCGEN_DATABASE_URL": url, "DOCGEN_INSTANCE_DIR": str(instance), "DOCGEN_RATE_LIMITS": "off",
           "DOCGEN_TODAY": "2025-06-05", "DOCGEN_ISSUE_DATE_PAST_DAYS": "3650", "DOCGEN_ISSUE_DATE_FUTURE_DAYS": "3650"}
    with gunicorn(env, workers=2) as base:
        base.database_url = url  # type: ignore[attr-defined]
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def shoot(page, name: str, focus: str | None = None) -> Path:  # type: ignore[no-untyped-def]
    """Save what the clerk sees (the 1366×768 window, scrolled to ``focus``) as test-artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if focus:
        page.locator(focus).first.scroll_into_view_if_needed()
    for attempt in range(3):
        try:
            page.screenshot(path=str(path))
            return path
        except PlaywrightError as error:
            # Chromium now and then answers "Unable to capture screenshot" on a loaded machine: the page is
            # there, the compositor was late. Another frame later it works; a real failure repeats.
            if "Unable to capture screenshot" not in str(error) or attempt == 2:
                raise
            page.wait_for_timeout(500)
    return path


def sign_in(page, server: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/ui/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server}/ui/")


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    yield
