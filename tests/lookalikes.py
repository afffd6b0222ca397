"""Names an impostor tries once "alice" exists: issue 9's attack list and more of each kind.

Shared by tests/integration/test_lookalike_names.py and tests/abuse/test_abuse_names.py.
"""

from __future__ import annotations

ORIGINAL = "alice"

LOOK_ALIKES = {
    "cyrillic-a": "\u0430lice",
    "latin-alpha": "\u0251lice",
    "combining-grapheme-joiner": "alice\u034f",
    "cyrillic-a-i-es-ie": "\u0430l\u0456\u0441\u0435",
    "cyrillic-capital-a": "\u0410LICE",
    "hangul-filler-inside": "ali\u3164ce",
    "latin-capital-i": "aIice",
}
"""Names that show as "alice" (or ALICE) but are other strings: ``name_in_use``. The
capital I ones are caught by the skeleton of the name as written, the others by that of
the case-folded name.

Not here, because ICU's confusables data does not catch them: "a" + U+04CF CYRILLIC SMALL
LETTER PALOCHKA + "ice" (its prototype is "i", not "l") and U+1D00 LATIN LETTER SMALL
CAPITAL A + "lice" (it has no prototype)."""

CASED_LOOK_ALIKES = {
    "cyrillic-capital-soft-signs": ("bob", "\u042c\u043e\u042c"),
    "capital-i-beside-small-l": ("lan", "Ian"),
}
"""``(taken, newcomer)``: a newcomer's name whose capitals look like the taken name's small
letters: ``name_in_use``."""

CASE_APART = ("Lan", "Ian")
"""``(taken, newcomer)``: "ian" and "lan" as keys, but written so that they do not look
alike: each is an account of its own."""

LOOK_ALIKE_SENTENCE = f"looks too much like {ORIGINAL}"

INVISIBLE = {
    "hangul-filler": "\u3164",
    "hangul-fillers": "\u3164" * 3,
    "braille-blank": "\u2800",
    "braille-blanks": "\u2800" * 5,
    "choseong-filler": "\u115f",
    "halfwidth-hangul-filler": "\uffa0",
    "zero-width-space": "\u200b",
    "combining-grapheme-joiner": "\u034f",
    "combining-acute-accent": "\u0301",
    "fillers-and-spaces": "\u3164\u2800 \u2800",
}
"""Names with nothing visible in them: ``invalid_name``."""

INVISIBLE_SENTENCE = "needs at least one visible character"

REAL_NAMES = ("Zoë", "Zoe", "José", "Jose", "李雷", "李雪", "Дмитрий", "Dmitry")
"""Different people's names, some of them close: each is an account of its own."""
