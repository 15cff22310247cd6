"""行政执法监督决定书: history of the opinion letter, decisions with deadlines, the right to 复查."""

from __future__ import annotations

import pytest

from docgen.errors import InvalidData
from docgen.generate import prepare

from conftest import REGISTRY


@pytest.fixture()
def data():
    return REGISTRY["decision"].load_sample()


def test_history_cites_the_opinion_letter(data):
    _, context = prepare("decision", data)
    assert context["history_text"] == (
        "2025年6月9日，昌吉市司法局向你单位送达《行政执法监督意见书》（昌司执监意〔2025〕7号），"
        "责令你单位于2025年7月8日前完成整改并书面报告整改情况。截至2025年8月20日，你单位逾期未整改，也未书面报告整改情况。")


def test_each_decision_carries_its_own_deadline(data):
    _, context = prepare("decision", data)
    items = context["decision_items"]
    assert items[0] == "（一）撤销行政行为：撤销昌市监罚〔2025〕12号行政处罚决定。"
    assert items[1].endswith("自收到本决定书之日起20个工作日内（即2025年9月17日前）履行完毕。")
    assert items[2].endswith("自收到本决定书之日起15日内（即2025年9月4日前）履行完毕。")
    assert "于2025年9月17日前将履行情况书面报告昌吉市人民政府" in context["report_text"]


def test_review_period_is_configurable(data):
    data["review"] = {"days": 15, "authority": "昌吉市人民政府"}
    _, context = prepare("decision", data)
    assert context["review_text"].startswith("你单位对本决定有异议的，可以自收到本决定书之日起15日内向昌吉市人民政府申请复查")


def test_city_seal_is_45_mm(data):
    assert prepare("decision", data)[1]["signature"]["seal_mm"] == 45
    assert prepare("opinion", REGISTRY["opinion"].load_sample())[1]["signature"]["seal_mm"] == 42


def test_cannot_decide_before_the_deadline_passed(data):
    data["issue_date"] = "2025-07-08"
    with pytest.raises(InvalidData) as info:
        prepare("decision", data)
    assert ("/issue_date", "not_overdue") in {(i.path, i.code) for i in info.value.issues}


def test_decision_kind_is_an_enum(data):
    data["decisions"][0]["kind"] = "罚款"
    with pytest.raises(InvalidData) as info:
        REGISTRY["decision"].validate(data)
    assert info.value.issues[0].path == "/decisions/0/kind" and info.value.issues[0].code == "not_allowed"
