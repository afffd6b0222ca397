"""What users type, checked before it reaches any rule: names and message text."""

from __future__ import annotations

import unicodedata

from hubbub.names import BLANK_SYMBOLS, is_visible
from hubbub.protocol import MAX_TEXT_CHARS, ErrorCode, Refusal

MAX_NAME_CHARS = 32


def normalise_name(raw: str) -> tuple[str, str]:
    """Return ``(display_name, key)`` for a name a user typed, or refuse it.

    The display name is NFKC-normalised; the key (what uniqueness is judged on) is also
    case-folded, so "Ålice", "ålice" and "ÅLICE" are one name. A name needs a visible
    character: spaces, fillers such as U+3164 HANGUL FILLER or U+2800 BRAILLE PATTERN
    BLANK, default-ignorable characters and combining marks do not count on their own.
    That a new name must not look like a taken one is judged where names are claimed, on
    the skeletons of the key and of the name (:func:`hubbub.names.skeletons`,
    :mod:`hubbub.store.claims`).
    """
    if (
        raw.isascii()
        and raw.isprintable()
        and 0 < len(raw) <= MAX_NAME_CHARS
        and raw[0] != " "
        and raw[-1] != " "
    ):
        # Most names, on every direct message: NFKC leaves printable ASCII as it is, and
        # all of it but the space is visible and allowed, so only the ends need a look.
        return raw, raw.casefold()
    return checked_name(unicodedata.normalize("NFKC", raw))


def checked_name(name: str) -> tuple[str, str]:
    """``(name, key)`` for an NFKC-normalised name, or refuse it (see :func:`normalise_name`)."""
    if not any(is_visible(char) for char in name):
        raise Refusal(
            ErrorCode.INVALID_NAME,
            "a name needs at least one visible character; spaces, fillers, "
            "invisible characters and accents alone do not count",
        )
    if len(name) > MAX_NAME_CHARS:
        raise Refusal(
            ErrorCode.INVALID_NAME,
            f"a name is at most {MAX_NAME_CHARS} characters; this one has {len(name)}",
        )
    if name != name.strip():
        raise Refusal(ErrorCode.INVALID_NAME, "a name cannot start or end with a space")
    for position, char in enumerate(name, start=1):
        if (
            unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
            or char in BLANK_SYMBOLS
        ):
            raise Refusal(
                ErrorCode.INVALID_NAME,
                f"a name cannot contain the control or invisible character "
                f"U+{ord(char):04X} (at {position})",
            )
    return name, name.casefold()


def name_key(name: str) -> str:
    """The key a stored (already valid) name is judged unique by."""
    return unicodedata.normalize("NFKC", name).casefold()


def check_text(text: str) -> str:
    """Return message text fit to store, or refuse it (empty, blank or too long)."""
    if not text or text.isspace():
        raise Refusal(ErrorCode.EMPTY_TEXT, "a message needs some text")
    if len(text) > MAX_TEXT_CHARS:
        raise Refusal(
            ErrorCode.TEXT_TOO_LONG,
            f"a message is at most {MAX_TEXT_CHARS} characters; this one has {len(text)}",
        )
    return text
