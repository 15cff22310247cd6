"""End to end in Debian's chromium: a supervision case from its 意见书 to the unit's 整改报告 and, once overdue, to the 决定书.

The clock is injected the way the office's training room does it: the server reads
DOCGEN_TODAY from its environment, so "the deadline passes" is the same database
served again with a later today.
"""

from __future__ import annotations

import copy
import json
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from docgen.store.db import session_scope
from docgen.store.tokens import create_token

from conftest import issuable
from servers import gunicorn
from browser.conftest import fresh_registry, shoot, sign_in

MARKET = "昌吉市市场监督管理局"
THIRD = {"category": "执法决定", "description": "处罚决定书未载明罚款的履行方式和期限",
         "case_numbers": ["昌市监罚〔2025〕18号"]}
BEFORE_DEADLINE, AFTER_DEADLINE = "2025-06-20", "2025-07-20"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    """A registry of its own (the cases here stay off the other browser tests' pages): units, a clerk, two unit users."""
    return fresh_registry(tmp_path_factory, "cases", {"clerk": ("judicial", None, "张三"),
                                                      "market": ("unit", MARKET, "李四")})


@contextmanager
def serving(database: tuple[str, Path], today: str) -> Iterator[str]:
    """gunicorn on the module's database, with ``today`` as the office's date."""
    url, instance = database
    env = {"DOCGEN_DATABASE_URL": url, "DOCGEN_INSTANCE_DIR": str(instance), "DOCGEN_RATE_LIMITS": "off",
           "DOCGEN_TODAY": today, "DOCGEN_ISSUE_DATE_PAST_DAYS": "3650", "DOCGEN_ISSUE_DATE_FUTURE_DAYS": "3650"}
    with gunicorn(env, workers=2) as base:
        yield base


def issue_opinion(base: str, token: str, recipient: str, problems: int, deadline: dict) -> str:  # type: ignore[type-arg]
    """An 意见书 issued through the API on 2025-06-05; returns its 文号."""
    data = issuable("opinion")
    data.update(recipient=recipient, issue_date="2025-06-05", deadline=deadline,
                problems=[*data["problems"], copy.deepcopy(THIRD)][:problems])
    request = urllib.request.Request(f"{base}/api/v1/documents", method="POST",
                                     data=json.dumps({"type": "opinion", "data": data}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        assert answer.status == 201
        return json.load(answer)["number"]


def signed_in(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    """A fresh 1366×768 window signed in as ``username``."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, username)
    return page


def open_case(page, base: str, number: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name="监督案件").click()
    page.wait_for_url(f"{base}/ui/cases")
    page.get_by_role("link", name=number, exact=True).click()
    page.wait_for_url(re.compile(r"/ui/cases/[0-9a-f]{32}$"))


def test_a_case_from_opinion_to_report_to_overdue_decision(browser, database):
    with session_scope(database[0]) as session:
        token = create_token(session, "judicial", None, "cases-browser")
    with serving(database, BEFORE_DEADLINE) as base:
        number = issue_opinion(base, token, MARKET, 3, {"kind": "working_days", "days": 20, "start_date": "2025-06-09"})
        soon = issue_opinion(base, token, "昌吉市交通运输局", 2, {"kind": "date", "date": "2025-07-23"})
        later = issue_opinion(base, token, "昌吉市城市管理综合行政执法局", 2, {"kind": "working_days", "days": 60})
        unit = signed_in(browser, base, "market")
        open_case(unit, base, number)
        expect(unit.locator("#case-state")).to_have_text("整改中")
        unit.get_by_role("button", name="起草整改报告").click()
        unit.wait_for_url(re.compile(r"/ui/drafts/[0-9a-f]{32}$"))
        rows = unit.locator("fieldset[data-array='ledger'] > ol > li.item")
        expect(rows).to_have_count(3)
        assert rows.nth(2).get_by_label("问题描述").input_value() == THIRD["description"], "one row per problem"
        assert unit.locator("[name='opinion.doc_number']").input_value() == number
        shoot(unit, "32-case-report-draft", "fieldset[data-array='ledger'] > ol > li.item")
        clerk = signed_in(browser, base, "clerk")
        open_case(clerk, base, number)
        clerk.get_by_role("button", name="起草监督决定书").click()
        expect(clerk.locator("#case-error")).to_contain_text("尚未届满，不能制发监督决定书")
        assert re.search(r"/ui/cases/[0-9a-f]{32}/decision$", clerk.url), "the refusal is shown, no draft opened"
        for window in (unit, clerk):
            window.context.close()
    with serving(database, AFTER_DEADLINE) as base:
        clerk = signed_in(browser, base, "clerk")
        clerk.get_by_role("link", name="监督案件").click()
        overdue = clerk.locator("#cases-overdue")
        expect(overdue).to_contain_text(number)
        expect(overdue).to_contain_text("逾期未报告")
        expect(clerk.locator("#cases-due_soon")).to_contain_text(soon)
        expect(clerk.locator("#cases-rest")).to_contain_text(later)
        expect(clerk.locator("table.units")).to_contain_text(MARKET)
        shoot(clerk, "30-cases-dashboard")
        clerk.get_by_role("link", name=number, exact=True).click()
        expect(clerk.locator("#case-state")).to_have_text("逾期未报告")
        expect(clerk.locator("#case-deadline")).to_contain_text("已逾期")
        shoot(clerk, "31-case")
        clerk.get_by_role("button", name="起草监督决定书").click()
        clerk.wait_for_url(re.compile(r"/ui/drafts/[0-9a-f]{32}$"))
        assert clerk.locator("[name='opinion.doc_number']").input_value() == number
        assert clerk.locator("[name='recipient']").input_value() == MARKET
        facts = " ".join(clerk.locator("[name^='facts.']").evaluate_all("fields => fields.map(f => f.value)"))
        assert number in facts and "逾期未报告" in facts and THIRD["description"] in facts, "the history is pre-filled"
        shoot(clerk, "33-case-decision-draft", "#f-opinion-doc_number")
        clerk.context.close()
