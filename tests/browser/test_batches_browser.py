"""End to end in Debian's chromium: the 司法局 clerk runs the monthly disclosure batch and checks who has published."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from readers import pdf_all_text, squash
from servers import gunicorn
from browser.conftest import fresh_registry, shoot, sign_in

CSV = """执法单位,决定书文号,决定类别,当事人,当事人类型,违法事实,决定日期
昌吉市市场监督管理局,昌市监罚〔2025〕21号,行政处罚,昌吉市天山商贸有限公司,法人,未按规定明码标价,2025-06-03
昌吉市市场监督管理局,昌市监罚〔2025〕22号,行政处罚,王小明,自然人,销售超过保质期的食品,2025-06-04
昌吉市交通运输局,昌交罚〔2025〕7号,行政处罚,昌吉市庭州物流有限公司,法人,车辆超限运输,2025-06-02
昌吉市交通运输局,,行政处罚,昌吉市北庭物流有限公司,法人,车辆超限运输,2025-06-03
"""



@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own: the notices this month's batch issues stay out of the other browser tests' pages."""
    url, instance = fresh_registry(tmp_path_factory, "batches", {"clerk": ("judicial", None, "张三")})
    env = {"DOCGEN_DATABASE_URL": url, "DOCGEN_INSTANCE_DIR": str(instance), "DOCGEN_RATE_LIMITS": "off",
           "DOCGEN_TODAY": "2025-06-05"}
    with gunicorn(env, workers=2) as base:
        yield base


def test_a_clerk_runs_the_monthly_batch_and_sees_who_has_published(page, server, tmp_path):
    sign_in(page, server, "clerk")
    page.get_by_role("link", name="月度公示").click()
    page.wait_for_url(f"{server}/ui/batches")
    export = tmp_path / "六月案件.csv"
    export.write_bytes(CSV.encode("gbk"))
    page.get_by_label("案件文件").set_input_files(str(export))
    page.get_by_label("公示月份").fill("2025-06")
    page.get_by_label("同时发布到文书登记").check()
    page.get_by_label("公示日期").fill("2025-06-05")
    shoot(page, "20-batches-form")
    page.get_by_role("button", name="开始生成").click()
    page.wait_for_url(re.compile(r"/ui/batches/[0-9a-f]{32}$"))
    page.evaluate("window.stillTheSamePage = true")
    expect(page.locator("#batch-state")).to_have_text("完成", timeout=120_000)
    assert page.evaluate("window.stillTheSamePage === true"), "the page was updated in place, not reloaded"
    assert page.locator("#batch-live progress").get_attribute("value") == page.locator("#batch-live progress").get_attribute("max")
    expect(page.locator("table.rejected")).to_contain_text("缺少必填项")
    shoot(page, "21-batch-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载全部公示（ZIP）").click()
    assert download.value.suggested_filename == "2025年6月-行政执法公示.zip"
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    pdf = next(n for n in archive.namelist() if n.startswith("昌吉市市场监督管理局/") and n.endswith(".pdf"))
    text = squash(pdf_all_text(archive.read(pdf)))
    assert "昌市监罚〔2025〕21号" in text and "王某" in text and "王小明" not in text
    page.get_by_role("link", name="查看本月各单位公示情况").click()
    page.wait_for_url(re.compile(r"/ui/disclosure-status\?month=2025-06$"))
    expect(page.locator("table.notices")).to_contain_text("昌吉市市场监督管理局")
    assert page.locator("table.notices a", has_text="查看公示").count() >= 2, "the published notices link to their documents"
    shoot(page, "22-disclosure-status")
    page.get_by_label("公示月份").fill("2025-05")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"month=2025-05$"))
    expect(page.locator("#reminders")).to_have_value(re.compile("昌吉市交通运输局"))
    page.get_by_role("button", name="复制名单").click()
    expect(page.locator("#copy-state")).to_have_text(re.compile("复制"))
    shoot(page, "23-disclosure-status-reminders", "#reminders")
