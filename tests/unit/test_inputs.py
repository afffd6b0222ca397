"""Names and message text: what users type is checked before any rule sees it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubbub.hub import check_text, normalise_name
from hubbub.hub.inputs import checked_name
from hubbub.protocol import MAX_TEXT_CHARS, ErrorCode, Refusal


def test_names_are_nfkc_normalised_and_unique_case_insensitively() -> None:
    assert normalise_name("\uff21lice") == ("Alice", "alice")
    assert normalise_name("ALICE")[1] == normalise_name("alice")[1]
    assert normalise_name("Straße")[1] == normalise_name("STRASSE")[1]


def test_a_name_may_have_inner_spaces_and_any_script() -> None:
    assert normalise_name("Anna Lena")[0] == "Anna Lena"
    assert normalise_name("Ölçü 名前")[0] == "Ölçü 名前"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "at least one visible"),
        ("   ", "at least one visible"),
        ("\u3164", "at least one visible"),
        ("\u2800\u2800", "at least one visible"),
        ("\u0301", "at least one visible"),
        ("\u034f", "at least one visible"),
        ("x" * 33, "at most 32"),
        (" alice", "start or end with a space"),
        ("alice ", "start or end with a space"),
        ("al\x00ice", "U+0000"),
        ("bob\nsmith", "U+000A"),
        ("eve\u200b", "U+200B"),
        ("\u202eevil", "U+202E"),
    ],
)
def test_bad_names_are_refused_with_a_reason(name: str, words: str) -> None:
    with pytest.raises(Refusal) as caught:
        normalise_name(name)
    assert caught.value.code is ErrorCode.INVALID_NAME
    assert words in caught.value.message


@given(st.text(st.characters(max_codepoint=127), max_size=40))
def test_an_ascii_name_gets_the_same_answer_as_the_full_unicode_check(raw: str) -> None:
    """The quick path for plain ASCII names accepts and refuses exactly what the full check does."""

    def answer(check: Callable[[str], tuple[str, str]]) -> tuple[str, str] | ErrorCode:
        try:
            return check(raw)
        except Refusal as refusal:
            return refusal.code

    full = answer(lambda name: checked_name(unicodedata.normalize("NFKC", name)))
    assert answer(normalise_name) == full


def test_a_32_character_name_is_fine() -> None:
    assert normalise_name("x" * 32)[0] == "x" * 32


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ErrorCode.EMPTY_TEXT),
        (" \n\t", ErrorCode.EMPTY_TEXT),
        ("x" * (MAX_TEXT_CHARS + 1), ErrorCode.TEXT_TOO_LONG),
    ],
)
def test_empty_or_overlong_text_is_refused(text: str, code: ErrorCode) -> None:
    with pytest.raises(Refusal) as caught:
        check_text(text)
    assert caught.value.code is code


def test_text_up_to_the_limit_is_kept_as_typed() -> None:
    text = " <b>hi</b> " + "y" * (MAX_TEXT_CHARS - 11)
    assert check_text(text) == text
