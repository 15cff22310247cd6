"""End to end in Debian's chromium: what a clerk does in the workspace, with a screenshot of every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from docgen.store.db import session_scope
from docgen.store.models import Draft

from conftest import REGISTRY
from readers import docx_text_blocks, pdf_all_text, squash
from browser.conftest import PASSWORD, shoot, sign_in


def _accept_dialogs(page) -> None:  # type: ignore[no-untyped-def]
    page.on("dialog", lambda dialog: dialog.accept())


def issue_opinion_in_the_browser(page, server) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The whole procedure a clerk follows; returns the document's URL and its 文号."""
    _accept_dialogs(page)
    sign_in(page, server, "clerk")
    shoot(page, "02-home")
    page.get_by_role("link", name=re.compile("^行政执法监督意见书")).click()
    page.wait_for_url(re.compile(r"/ui/new/opinion$"))
    shoot(page, "03-editor-empty")
    page.get_by_role("button", name="填入示例").click()
    page.wait_for_load_state("load")
    problems = page.locator("fieldset[data-array='problems'] > ol > li.item")
    before = problems.count()
    add = page.locator("fieldset[data-array='problems'] > button[data-add]")
    add.click()
    add.click()
    assert problems.count() == before + 2, "rows added in the page, without a round trip"
    for offset, (category, text, case) in enumerate([("执法程序", "未告知陈述申辩权利", "昌市监罚〔2025〕31号"),
                                                      ("三项制度", "未公示执法决定", "昌市监罚〔2025〕32号")]):
        row = problems.nth(before + offset)
        row.get_by_label("问题类别").select_option(category)
        row.get_by_label("问题描述").fill(text)
        row.locator("fieldset[data-array$='case_numbers'] > button[data-add]").click()
        row.get_by_label("案卷号").last.fill(case)
    page.get_by_label("发文顺序号").fill("")
    page.locator("#f-recipient").fill("")
    page.get_by_role("button", name="制发").first.click()
    page.wait_for_selector("#f-recipient-error")
    shoot(page, "04-editor-error", "#f-recipient")
    assert "缺少必填字段" in page.locator("#f-recipient-error").inner_text()
    assert page.get_by_label("问题描述").nth(before + 1).input_value() == "未公示执法决定", "what was typed is kept"
    page.locator("#f-recipient").fill("昌吉市市场监督管理局")
    page.get_by_role("button", name="预览").first.click()
    page.wait_for_selector("#preview img")
    assert page.locator("#preview img").count() >= 2
    shoot(page, "05-editor-preview")
    page.get_by_role("button", name="制发").first.click()
    page.wait_for_url(re.compile(r"/ui/documents/[0-9a-f]{32}\?issued=1"))
    shoot(page, "06-document-issued")
    number = page.locator("dd.number").inner_text()
    assert number == "昌司执监意〔2025〕1号"
    url = page.url.split("?")[0]
    page.get_by_role("link", name="文书查询").click()
    page.get_by_label("文号或标题").fill(number)
    page.get_by_role("button", name="查询").click()
    shoot(page, "07-history")
    page.get_by_role("link", name=number).click()
    for fmt, reader in (("PDF", pdf_all_text), ("DOCX", lambda data: "".join(docx_text_blocks(data)))):
        with page.expect_download() as download:
            page.get_by_role("link", name=f"下载 {fmt}").click()
        text = squash(reader(Path(download.value.path()).read_bytes()))
        assert number in text and "未告知陈述申辩权利" in text and "未公示执法决定" in text
    return url, number


def test_a_clerk_issues_an_opinion(page, server):
    page.goto(server + "/")
    shoot(page, "01-login")
    url, number = issue_opinion_in_the_browser(page, server)
    assert number.endswith("1号")


def test_another_unit_cannot_see_it(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        url = issue_opinion_in_the_browser(page, server)[0] if not _issued(server) else _issued(server)
    finally:
        context.close()
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(other, server, "transport")
    other.goto(server + "/ui/documents")
    assert "昌司执监意" not in other.content()
    response = other.goto(url)
    assert response.status == 404
    shoot(other, "08-not-found-for-another-unit")
    other.context.close()


def _issued(server) -> str | None:  # type: ignore[no-untyped-def]
    with session_scope(server.database_url) as session:
        from docgen.store.models import Document
        row = session.query(Document).filter(Document.doc_type == "opinion").first()
    return f"{server}/ui/documents/{row.id}" if row else None


@pytest.mark.parametrize("slug", list(REGISTRY))
def test_every_form_renders_and_round_trips_its_sample(page, server, slug):
    sign_in(page, server, "clerk")
    page.goto(f"{server}/ui/new/{slug}")
    page.get_by_role("button", name="填入示例").click()
    page.wait_for_load_state("load")
    shoot(page, f"10-form-{slug}")
    page.get_by_role("button", name="保存草稿").first.click()
    page.wait_for_selector("text=草稿已保存")
    draft_id = page.locator("input[name=draft_id]").input_value()
    with session_scope(server.database_url) as session:
        stored = json.loads(session.get(Draft, draft_id).data_json)
    assert stored == REGISTRY[slug].load_sample()


def test_a_deadline_shows_only_the_fields_of_its_kind_and_rows_reorder(page, server):
    _accept_dialogs(page)
    sign_in(page, server, "clerk")
    page.goto(f"{server}/ui/new/opinion")
    kind = page.get_by_label("期限方式")
    kind.select_option("date")
    assert page.get_by_label("截止日期").is_visible() and not page.get_by_label("天数").is_visible()
    kind.select_option("working_days")
    assert page.get_by_label("天数").is_visible() and not page.get_by_label("截止日期").is_visible()
    page.get_by_role("button", name="填入示例").click()
    page.wait_for_load_state("load")
    items = page.locator("fieldset[data-array='opinions'] > ol > li.item")
    field = "[name^='opinions.']"
    first, second = items.nth(0).locator(field).input_value(), items.nth(1).locator(field).input_value()
    items.nth(1).get_by_role("button", name="上移").click()
    assert items.nth(0).locator(field).get_attribute("name") == "opinions.0", "renumbered in the page"
    page.get_by_role("button", name="保存草稿").first.click()
    page.wait_for_selector("text=草稿已保存")
    assert page.locator("[name='opinions.0']").input_value() == second
    assert page.locator("[name='opinions.1']").input_value() == first


def test_forms_without_their_token_are_refused_and_passwords_lock(page, server):
    page.goto(f"{server}/ui/login")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert "表单已过期" in page.content()
    shoot(page, "09-csrf-refused")
    for _ in range(5):
        page.goto(f"{server}/ui/login")
        page.get_by_label("用户名").fill("market")
        page.get_by_label("密码").fill("not the password")
        page.get_by_role("button", name="登录").click()
    assert "锁定" in page.content()
    shoot(page, "09-locked")


def test_admin_pages(page, server):
    sign_in(page, server, "admin")
    page.get_by_role("link", name="用户管理").click()
    shoot(page, "11-admin-users")
    page.get_by_role("link", name="单位登记").click()
    assert "昌吉市司法局" in page.content()
    shoot(page, "12-admin-units")
