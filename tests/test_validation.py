"""The quick schema check (docgen.doctypes.quick_check) says "valid" exactly where jsonschema does."""

from __future__ import annotations

import copy
import enum
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from docgen.doctypes.quick_check import compile_check
from docgen.doctypes.validation import SchemaValidator
from docgen.schema_errors import detailed_validator
from docgen.text import clean_data

from conftest import REGISTRY

STRINGS = ["", "a", "ab", "abc", "b", "2024-06-05", "2024-02-30", "1999-12-31", "2100-01-01", "整改中", "date",
           "days", "20240605", " 2024-06-05"]
KEYS = ["a", "b", "kind", "date"]
TYPES = ["string", "integer", "number", "boolean", "null", "array", "object"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-4, 4), st.sampled_from([0.0, 1.0, 2.5, -1.5, 3.0, float("nan"), float("inf")]),
    st.sampled_from([10 ** 400, -(2 ** 53) - 1]), st.sampled_from(STRINGS))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=10)
bounds = st.integers(-3, 3) | st.sampled_from([0.5, -0.5, 2.0])
keywords = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(TYPES) | st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True),
    "minLength": st.integers(0, 3), "maxLength": st.integers(0, 3),
    "minItems": st.integers(0, 3), "maxItems": st.integers(0, 3),
    "minimum": bounds, "maximum": bounds, "exclusiveMinimum": bounds, "exclusiveMaximum": bounds,
    "pattern": st.sampled_from(["^a", "b", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "^$", "整", "^(date|days)$"]),
    "enum": st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3),
    "const": st.sampled_from(STRINGS),
    "format": st.just("date"),
    "uniqueItems": st.booleans(),
    "title": st.just("标题"), "description": st.just("说明"), "contentEncoding": st.just("base64"),
})


def _structure(inner: st.SearchStrategy) -> st.SearchStrategy:
    objects = st.fixed_dictionaries(
        {"properties": st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)},
        optional={"required": st.lists(st.sampled_from(KEYS), max_size=2, unique=True),
                  "additionalProperties": st.booleans() | inner})
    return st.one_of(
        st.tuples(keywords, objects).map(lambda pair: {**pair[0], **pair[1]}),
        st.tuples(keywords, inner).map(lambda pair: {**pair[0], "items": pair[1]}),
        st.lists(inner, min_size=1, max_size=2).map(lambda schemas: {"allOf": schemas}),
        st.fixed_dictionaries({"if": inner}, optional={"then": inner, "else": inner}),
        st.booleans(),
    )


schemas = st.recursive(keywords, _structure, max_leaves=6)


def _jsonschema_says_valid(schema: Any, data: Any) -> bool:
    return detailed_validator(schema).is_valid(data)


@settings(max_examples=600, deadline=None)
@given(schema=schemas, data=json_values)
def test_the_quick_check_agrees_with_jsonschema_on_any_schema_it_compiles(schema, data):
    check = compile_check(schema)
    assert check is not None, schema  # every generated keyword is one it knows
    assert check(data) == _jsonschema_says_valid(schema, data)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data[:3]):
            found += _paths(value, path + (index,))
    return found


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value if how == "set" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "unknown" and isinstance(parent, dict):
        parent["docgen_unknown_field"] = value
    elif how == "longer" and isinstance(parent[last], str):
        parent[last] = parent[last] * 40
    else:
        parent[last] = value
    return data


@pytest.mark.parametrize("slug", list(REGISTRY))
def test_every_document_schema_has_a_quick_check(slug):
    assert REGISTRY[slug].validator.quick is not None


@pytest.mark.parametrize("slug", list(REGISTRY))
@settings(max_examples=150, deadline=None)
@given(choice=st.data())
def test_the_quick_check_agrees_with_jsonschema_on_damaged_samples(slug, choice):
    doctype = REGISTRY[slug]
    sample = doctype.load_sample()
    path = choice.draw(st.sampled_from(_paths(sample)))
    how = choice.draw(st.sampled_from(["set", "delete", "unknown", "longer"]))
    value = choice.draw(json_values | st.sampled_from(["date", "days", "整改中", "2024-06-05", 3, 30]))
    try:
        data = clean_data(_mutate(sample, path, how, value))
    except (KeyError, IndexError, TypeError):
        return
    assert doctype.validator.quick(data) == _jsonschema_says_valid(doctype.schema, data)


def test_damaged_samples_are_told_apart_both_ways():
    """The agreement above is not vacuous: the samples pass, and a damaged one is refused by both."""
    for doctype in REGISTRY.values():
        data = clean_data(doctype.load_sample())
        assert doctype.validator.quick(data) and _jsonschema_says_valid(doctype.schema, data)
        damaged = dict(data, issue_date="2024-02-30")
        assert not doctype.validator.quick(damaged) and not _jsonschema_says_valid(doctype.schema, damaged)
        assert [issue.path for issue in doctype.validator.issues(damaged)] == ["/issue_date"]


def test_a_schema_beyond_the_quick_check_is_left_to_jsonschema():
    schema = {"type": "object", "properties": {"n": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}}
    validator = SchemaValidator(schema)
    assert validator.quick is None
    assert validator.issues({"n": 1}) == []
    assert [issue.path for issue in validator.issues({"n": []})] == ["/n"]


class _Level(enum.IntEnum):
    HIGH = 5


strange = st.sampled_from([Decimal("1"), Decimal("-7"), Fraction(1, 3), _Level.HIGH, True])
strange_values = st.recursive(
    scalars | strange,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(schema=schemas, data=strange_values)
def test_values_json_does_not_have_are_never_passed_on_a_guess(schema, data):
    """Decimals, fractions, int subclasses: where the quick check cannot judge as jsonschema, it says "not
    certain", also inside an ``if`` (where a guess would take the wrong branch)."""
    if compile_check(schema)(data):
        assert _jsonschema_says_valid(schema, data)


@pytest.mark.parametrize("value", [Decimal("1"), Decimal("-1"), _Level.HIGH, float("nan")])
def test_a_condition_on_a_strange_number_takes_no_branch_on_a_guess(value):
    schema = {"type": "object", "if": {"properties": {"x": {"minimum": 0}}}, "then": {"required": ["y"]}}
    assert not compile_check(schema)({"x": value}) or _jsonschema_says_valid(schema, {"x": value})


def test_another_draft_is_left_to_jsonschema():
    assert compile_check({"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}) is None
    assert compile_check({"type": "object", "properties": {"a": {"$schema": "x", "type": "string"}}}) is None
    assert compile_check({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x", "type": "string"})


def test_every_keyword_it_knows_is_checked():
    from docgen.doctypes import quick_check
    assert set(quick_check._ORDER) == set(quick_check._KEYWORDS)
