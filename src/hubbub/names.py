"""Unicode rules for names that two people could mistake for one another.

The confusable skeleton is Unicode Technical Standard #39, section 4: NFD, remove the
default-ignorable characters, map every character to its prototype in the Unicode
``confusables.txt`` table, NFD again. Two names with one skeleton look alike: "alice" in
Latin, and the same with U+0430 CYRILLIC SMALL LETTER A first. ICU computes it from its
copy of that table (the ``pyicu-wheels`` package bundles ICU and its data;
:data:`UNICODE_VERSION` says which Unicode version).

This module sits outside the hub and the store because both use it: the hub to refuse a
name, the store (and its migrations) to keep the indexed skeleton columns of every name.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import icu

UNICODE_VERSION: str = icu.UNICODE_VERSION
"""The Unicode version of the confusables data the skeletons are computed from."""

_checker = icu.SpoofChecker()
_NO_OPTIONS = 0

BLANK_SYMBOLS = frozenset({"\u2800"})
"""Characters that are neither spaces nor default-ignorable yet print as nothing:
U+2800 BRAILLE PATTERN BLANK. The confusable skeleton keeps them, so a name may not
contain them at all ("alice" + U+2800 would show as "alice")."""

_NOT_VISIBLE_ALONE = frozenset({"Mn", "Mc", "Me", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"})
"""Categories that show nothing without a visible character beside them: combining
marks, separators, controls, format characters, unassigned code points."""


def skeleton(text: str) -> str:
    """The confusable skeleton (UTS #39) of a name key or a name as written."""
    result: str = _checker.getSkeleton(_NO_OPTIONS, text)
    return result


class Skeletons(NamedTuple):
    """The two skeletons a name is compared by; two names look alike when either kind
    is the same for both.

    ``folded`` is the skeleton of the key (NFKC, case-folded): "ALICE" with U+0410
    CYRILLIC CAPITAL LETTER A beside "alice". ``cased`` is the skeleton of the name as
    written (NFKC, case kept), for capitals that look like another small letter: "aIice"
    (capital I) beside "alice", U+042C U+043E U+042C (Cyrillic soft sign, o, soft sign)
    beside "bob". Folding case after the skeleton would catch those too but would merge
    names that do not look alike: "Ian" and "Lan"."""

    folded: str
    cased: str


def skeletons(name: str, key: str) -> Skeletons:
    """The skeletons of a name (NFKC-normalised) and its key (also case-folded)."""
    return Skeletons(folded=skeleton(key), cased=skeleton(name))


def is_default_ignorable(char: str) -> bool:
    """Whether the character has Unicode's Default_Ignorable_Code_Point property (it is
    shown as nothing: U+200B ZERO WIDTH SPACE, U+034F, U+3164 HANGUL FILLER…)."""
    ignorable: bool = icu.Char.hasBinaryProperty(char, icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT)
    return ignorable


def is_visible(char: str) -> bool:
    """Whether the character shows something on its own: not a space, not
    default-ignorable, not a blank symbol, not a combining mark without a base."""
    return not (
        unicodedata.category(char) in _NOT_VISIBLE_ALONE
        or char in BLANK_SYMBOLS
        or char.isspace()
        or is_default_ignorable(char)
    )
