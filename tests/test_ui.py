"""The clerks' workspace over HTTP (no browser): sign-in, forms from schemas, preview, issue, drafts, history, admin."""

from __future__ import annotations

import io
import json
import re

import pytest

from docgen.store.db import db_session
from docgen.store.models import Draft
from docgen.store.users import create_user

from conftest import REGISTRY
from readers import docx_text_blocks, pdf_all_text, squash
from webforms import csrf_token, post_form, read_form

PASSWORD = "correct horse battery"
USERS = {"clerk": ("judicial", None), "market": ("unit", "昌吉市市场监督管理局"), "transport": ("unit", "昌吉市交通运输局"),
         "admin": ("admin", None)}


@pytest.fixture()
def people(app, settings):
    with db_session(settings) as db:
        for name, (role, unit) in USERS.items():
            create_user(db, name, PASSWORD, role, unit, {"clerk": "张三", "market": "李四"}.get(name, name))
    return app


def sign_in(app, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/ui/login").get_data(as_text=True)
    answer = client.post("/ui/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def test_the_root_leads_to_the_workspace_and_its_sign_in(client):
    assert client.get("/").headers["Location"].endswith("/ui/")
    assert "/ui/login" in client.get("/ui/").headers["Location"]
    page = client.get("/ui/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "登录" in html and "尚无用户" in html, "a fresh installation says how to get in"
    assert page.headers["Content-Security-Policy"] and "http://" not in html.replace("http://localhost", "")


def test_wrong_passwords_lock_the_account(people):
    client = people.test_client()
    page = client.get("/ui/login").get_data(as_text=True)
    for attempt in range(1, 6):
        answer = client.post("/ui/login", data={"username": "clerk", "password": "wrong password!", "csrf_token": csrf_token(page)})
        assert answer.status_code == 401 and ("锁定" if attempt == 5 else "不正确") in answer.get_data(as_text=True)
    locked = client.post("/ui/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert locked.status_code == 401 and "锁定" in locked.get_data(as_text=True)


def test_forms_need_their_csrf_token(people):
    client = people.test_client()
    client.get("/ui/login")
    refused = client.post("/ui/login", data={"username": "clerk", "password": PASSWORD})
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    signed = sign_in(people, "clerk")
    assert signed.post("/ui/edit/opinion", data={"action": "save"}).status_code == 400
    assert signed.post("/ui/logout").status_code == 400, "even signing out"


def test_every_type_has_a_form_from_its_schema_with_labels(people, doctype):
    client = sign_in(people, "clerk")
    page = client.get(f"/ui/new/{doctype.slug}")
    assert page.status_code == 200
    form = read_form(page.get_data(as_text=True))
    titles = set()

    def walk(schema):  # type: ignore[no-untyped-def]
        if "title" in schema:
            titles.add(schema["title"])
        for sub in schema.get("properties", {}).values():
            walk(sub)
        if "items" in schema:
            walk(schema["items"])

    walk(doctype.schema)
    assert form.controls and all(control in form.labels for control in form.controls), "every input has its label"
    assert set(form.labels.values()) <= titles, "labels are schema titles"


def test_every_sample_round_trips_through_its_form(people, settings, doctype):
    client = sign_in(people, "clerk")
    filled = post_form(client, client.get(f"/ui/new/{doctype.slug}").get_data(as_text=True), "sample")
    assert filled.status_code == 200
    saved = post_form(client, filled.get_data(as_text=True), "save")
    assert saved.status_code == 200 and "草稿已保存" in saved.get_data(as_text=True)
    with db_session(settings) as db:
        draft = db.get(Draft, saved.headers["X-Docgen-Draft"])
        assert json.loads(draft.data_json) == doctype.load_sample()


def test_the_whole_opinion_procedure(people, settings):
    issue_an_opinion(people)


def issue_an_opinion(people) -> str:  # type: ignore[no-untyped-def]
    """Sign in, fill, add problems, see an error, preview, issue, find, download; return the document's page."""
    client = sign_in(people, "clerk")
    page = client.get("/ui/new/opinion").get_data(as_text=True)
    page = post_form(client, page, "sample").get_data(as_text=True)
    sample = REGISTRY["opinion"].load_sample()
    problems = len(sample["problems"])
    for _ in range(2):  # two more problems, the way a browser without JavaScript adds them
        page = post_form(client, page, "add:problems").get_data(as_text=True)
    new = {f"problems.{problems}.category": "执法程序", f"problems.{problems}.description": "未告知陈述申辩权利",
           f"problems.{problems}.case_numbers.0": "昌市监罚〔2025〕31号",
           f"problems.{problems + 1}.category": "三项制度", f"problems.{problems + 1}.description": "未公示执法决定",
           f"problems.{problems + 1}.case_numbers.0": "昌市监罚〔2025〕32号", "doc_number.seq": ""}
    page = post_form(client, page, "add:problems.%d.case_numbers" % problems, changes=new).get_data(as_text=True)
    broken = post_form(client, page, "issue", changes={"recipient": ""})
    html = broken.get_data(as_text=True)
    assert broken.status_code == 422 and 'id="f-recipient-error"' in html and "缺少必填字段" in html
    kept = dict(read_form(html).fields)
    assert kept[f"problems.{problems + 1}.description"] == "未公示执法决定" and kept["supervision.activity"], "the rest kept"
    preview = post_form(client, html, "preview", changes={"recipient": "昌吉市市场监督管理局"})
    assert preview.status_code == 200 and preview.get_data(as_text=True).count('<img src="data:image/png;base64,') >= 2
    issued = post_form(client, preview.get_data(as_text=True), "issue")
    assert issued.status_code == 302, issued.get_data(as_text=True)[:500]
    document = client.get(issued.headers["Location"]).get_data(as_text=True)
    number = re.search(r'<dd class="number">([^<]+)</dd>', document).group(1)
    assert number == "昌司执监意〔2025〕1号" and "已制发" in document
    listed = client.get("/ui/documents?q=" + number).get_data(as_text=True)
    link = re.search(r'href="(/ui/documents/[0-9a-f]{32})"', listed).group(1)
    pdf, docx = client.get(link + "/pdf"), client.get(link + "/docx")
    for text in (squash(pdf_all_text(pdf.data)), squash("".join(docx_text_blocks(docx.data)))):
        assert number in text and "未告知陈述申辩权利" in text and "未公示执法决定" in text
    assert "样稿" not in squash(pdf_all_text(pdf.data))
    again = post_form(client, preview.get_data(as_text=True), "issue")
    assert again.headers["Location"] == issued.headers["Location"], "pressing 制发 twice issues once"
    return link


def test_another_unit_sees_nothing(people, settings):
    link = issue_an_opinion(people)
    transport = sign_in(people, "transport")
    assert transport.get(link).status_code == 404 and transport.get(link + "/pdf").status_code == 404
    assert "昌司执监意" not in transport.get("/ui/documents").get_data(as_text=True)
    market = sign_in(people, "market")  # the addressee sees it
    assert market.get(link).status_code == 200


def test_a_unit_user_issues_only_as_its_unit(people):
    market = sign_in(people, "market")
    page = market.get("/ui/new/rectification").get_data(as_text=True)
    assert '<output id="f-issuer-name" class="fixed">昌吉市市场监督管理局</output>' in page
    forged = post_form(market, page, "save", changes={"issuer.name": "昌吉市司法局"})
    assert "昌吉市司法局" not in dict(read_form(forged.get_data(as_text=True)).fields).get("issuer.name", "")


def test_history_filters_and_template(people, settings):
    link = issue_an_opinion(people)
    client = sign_in(people, "clerk")
    for query, found in (("type=opinion", True), ("type=decision", False), ("recipient=昌吉市市场监督管理局", True),
                         ("from=2025-06-01&to=2025-06-30", True), ("from=2025-07-01", False), ("status=void", False)):
        assert (link in client.get(f"/ui/documents?{query}").get_data(as_text=True)) == found, query
    assert client.get("/ui/documents?from=2025-13-01").status_code == 400
    page = client.get(link).get_data(as_text=True)
    copied = client.post(link + "/copy", data={"csrf_token": csrf_token(page)})
    draft = client.get(copied.headers["Location"]).get_data(as_text=True)
    fields = dict(read_form(draft).fields)
    assert fields["recipient"] == "昌吉市市场监督管理局" and fields.get("doc_number.seq", "") == "", "a new number next time"
    voided = client.post(link + "/void", data={"csrf_token": csrf_token(page), "reason": "重复制发"})
    assert "已作废" in client.get(voided.headers["Location"]).get_data(as_text=True)


def test_drafts_survive_errors_and_ended_sessions(people, settings):
    client = sign_in(people, "clerk")
    page = client.get("/ui/new/opinion").get_data(as_text=True)
    first = post_form(client, page, "preview", changes={"title": "关于某某问题的意见书"})
    assert first.status_code == 422
    draft_id = first.headers["X-Docgen-Draft"]
    assert "关于某某问题的意见书" in client.get("/ui/").get_data(as_text=True), "listed among the drafts"
    autosaved = post_form(client, first.get_data(as_text=True), "autosave", changes={"recipient": "昌吉市交通运输局"},
                          headers={"X-Docgen-Fetch": "1"})
    assert autosaved.get_json()["draft_id"] == draft_id
    with db_session(settings) as db:  # the session ends (its fixed lifetime is over)
        from docgen.store.models import WebSession
        db.query(WebSession).delete()
    lost = post_form(client, autosaved and first.get_data(as_text=True), "save", changes={"recipient": "昌吉市林业和草原综合行政执法大队"})
    assert "/ui/login" in lost.headers["Location"]
    login = client.get(lost.headers["Location"]).get_data(as_text=True)
    back = client.post("/ui/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_token(login),
                                          "next": read_form(login, "").action or "/ui/rescued"})
    restored = client.get(client.get("/ui/rescued").headers["Location"]).get_data(as_text=True)
    assert "已恢复" in restored and dict(read_form(restored).fields)["recipient"] == "昌吉市林业和草原综合行政执法大队"
    assert dict(read_form(restored).fields)["draft_id"] == draft_id, "the same draft, not a copy"
    del back


def test_admins_manage_users_and_units_in_the_browser(people, settings):
    from docgen.seal import demo_seal_png
    client = sign_in(people, "admin")
    page = client.get("/ui/admin/users").get_data(as_text=True)
    made = client.post("/ui/admin/users", data={"csrf_token": csrf_token(page), "username": "newclerk", "role": "unit",
                                                "unit": "昌吉市交通运输局", "password": "another good one", "display_name": "赵六"})
    assert "已创建用户 newclerk" in client.get(made.headers["Location"]).get_data(as_text=True)
    client.post("/ui/admin/users/newclerk/disable", data={"csrf_token": csrf_token(page)})
    assert "停用" in client.get("/ui/admin/users").get_data(as_text=True)
    units = client.get("/ui/admin/units").get_data(as_text=True)
    added = client.post("/ui/admin/units", data={"csrf_token": csrf_token(units), "name": "昌吉市应急管理局", "kind": "enforcement",
                                                  "organ_codes": "昌应急 昌应急罚", "seal_mm": "42",
                                                  "seal": (io.BytesIO(demo_seal_png("昌吉市应急管理局")), "seal.png")},
                        content_type="multipart/form-data")
    listing = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "已登记 昌吉市应急管理局" in listing and "昌应急、昌应急罚" in listing and "已登记（42.0 mm）" in listing
    market = sign_in(people, "market")
    assert market.get("/ui/admin/users").status_code == 403 and market.get("/ui/admin/units").status_code == 403


def test_the_first_administrator_comes_from_the_console_link(app, settings):
    from docgen.web.ui.auth import setup_link
    link = setup_link(settings)
    assert link and "/ui/setup?token=" in link
    client = app.test_client()
    assert client.get("/ui/setup?token=wrong").status_code == 403
    page = client.get(link.split(settings.public_url, 1)[1]).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    done = client.post("/ui/setup", data={"csrf_token": csrf_token(page), "token": token, "username": "boss",
                                          "password": "first admin pw", "password2": "first admin pw"})
    assert done.status_code == 302 and client.get("/ui/admin/units").status_code == 200
    assert setup_link(settings) is None and client.get(f"/ui/setup?token={token}").status_code == 403, "used once"


def test_empty_search_boxes_are_no_filter(people):
    client = sign_in(people, "clerk")
    assert client.get("/ui/documents?q=&type=&unit=&recipient=&from=&to=&status=").status_code == 200


def test_a_large_document_issues_through_a_job_with_progress(people, settings):
    import dataclasses
    from docgen import create_app
    # a budget of no pages at all: everything is "large"
    small = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, sync_max_pages=0)})
    client = sign_in(small, "clerk")
    page = post_form(client, client.get("/ui/new/opinion").get_data(as_text=True), "sample").get_data(as_text=True)
    big = post_form(client, page, "preview", changes={"doc_number.seq": ""})
    assert big.status_code == 200 and "正在后台生成预览" in big.get_data(as_text=True)
    issued = post_form(client, big.get_data(as_text=True), "issue")
    assert "/ui/jobs/" in issued.headers["Location"]
    import time
    for _ in range(300):
        answer = client.get(issued.headers["Location"])
        if answer.status_code == 302:
            break
        assert "正在生成" in answer.get_data(as_text=True) or "排队中" in answer.get_data(as_text=True)
        time.sleep(0.2)
    assert "/ui/documents/" in answer.headers["Location"]
    assert "昌司执监意〔2025〕" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_sign_in_is_rate_limited_per_address(people, settings):
    import dataclasses
    from docgen import create_app
    limited = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(
        settings, rate_limits=True, rate_limit_login="3/minute")}).test_client()
    page = limited.get("/ui/login").get_data(as_text=True)
    answers = [limited.post("/ui/login", data={"username": "x", "password": "y", "csrf_token": csrf_token(page)}).status_code
               for _ in range(3)]
    assert answers[-1] == 429
