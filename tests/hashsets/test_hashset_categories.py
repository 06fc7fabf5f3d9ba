"""Category values: every UK spelling, numbers only under a named scheme, nothing guessed."""

from __future__ import annotations

import pytest

from footprint.errors import FormatError
from footprint.hashsets.categories import Numbers, category_number, parse_category
from footprint.model import Category, CategoryScheme

UK, VICS = CategoryScheme.UK, CategoryScheme.VICS


@pytest.mark.parametrize(("text", "code"), [
    ("A", "A"), ("b", "B"), ("Category A", "A"), ("cat. b", "B"), ("Cat-C", "C"), ("CATEGORY_C", "C"),
    ("N", "N"), ("NI", "N"), ("not indecent", "N"), ("Non-Indecent", "N"), (" uk:a ", "A"),
])
def test_uk_spellings_are_read_under_any_scheme(text: str, code: str) -> None:
    for numbers in Numbers:
        assert parse_category(text, numbers) == Category(UK, code)


@pytest.mark.parametrize("value", [None, "", "  ", "Uncategorised", "uncategorized"])
def test_no_category(value: object) -> None:
    assert parse_category(value, Numbers.VICS) is None


def test_vics_numbers_keep_zero() -> None:
    assert [parse_category(n, "vics") for n in (0, 1, "2", " 3 ", 4)] == [
        Category(VICS, code) for code in "01234"]


def test_uk_numeric_profile() -> None:
    assert [parse_category(n, "uk") for n in (0, 1, 2, "3", 4)] == [
        None, Category(UK, "A"), Category(UK, "B"), Category(UK, "C"), Category(UK, "N")]


def test_bare_number_without_a_scheme_is_refused() -> None:
    with pytest.raises(FormatError, match="bare number"):
        parse_category("1")
    with pytest.raises(FormatError, match="bare number"):
        parse_category("Category 2", Numbers.NONE)


@pytest.mark.parametrize(("value", "numbers"), [
    ("5", "vics"), (7, "uk"), ("D", "vics"), ("X", "uk"), ("category", "vics"), ("vics:9", "vics"),
    ("uk:Q", "none"), ("1.0", "vics"), (True, "vics"), (1.5, "vics"), ("illegal", "vics"),
])
def test_values_that_fit_no_scheme_raise_with_the_value(value: object, numbers: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_category(value, numbers)
    assert str(value).strip() in str(info.value) or repr(value) in str(info.value)


def test_qualified_form_is_footprints_own_str() -> None:
    for category in (Category(UK, "B"), Category(VICS, "0"), Category(VICS, "4")):
        assert parse_category(str(category)) == category


def test_category_number_is_the_inverse_and_refuses_the_other_scheme() -> None:
    for numbers in (Numbers.VICS, Numbers.UK):
        for value in (1, 2, 3, 4):
            category = parse_category(value, numbers)
            assert category is not None
            assert category_number(category, numbers) == value
    with pytest.raises(FormatError):
        category_number(Category(UK, "A"), Numbers.VICS)
    with pytest.raises(FormatError):
        category_number(Category(VICS, "1"), Numbers.UK)
