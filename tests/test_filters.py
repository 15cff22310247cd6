"""Shared template filters."""

from __future__ import annotations

import pytest

from docgen.filters import chinese_numeral, document_number, join_cn, money_in_words


@pytest.mark.parametrize("items, expected", [
    (["《甲法》", "《乙条例》"], "《甲法》《乙条例》"),
    (["《甲法》第一条", "《乙条例》"], "《甲法》第一条、《乙条例》"),
    (["张三", "李四", "王五"], "张三、李四、王五"),
    (["唯一"], "唯一"),
    ([], ""),
])
def test_join_cn(items, expected):
    assert join_cn(items) == expected


@pytest.mark.parametrize("n, expected", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"), (99, "九十九")])
def test_chinese_numeral(n, expected):
    assert chinese_numeral(n) == expected


def test_document_number():
    assert document_number("昌司执监意", 2024, 7) == "昌司执监意〔2024〕7号"
    assert document_number("昌司执监意", 2024, None) == "昌司执监意〔2024〕\u3000号"


@pytest.mark.parametrize("value, expected", [("1409.50", "人民币壹仟肆佰零玖元伍角"), ("10000", "人民币壹万元整"),
                                             ("6007.14", "人民币陆仟零柒元壹角肆分")])
def test_money_in_words(value, expected):
    assert money_in_words(value) == expected
