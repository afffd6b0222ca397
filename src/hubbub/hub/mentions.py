"""``@name`` mentions: which members of a conversation a message names."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from hubbub.hub.inputs import MAX_NAME_CHARS


def mentioned(
    text: str, member: Callable[[str], tuple[int, str] | None]
) -> tuple[tuple[int, str], ...]:
    """The (account id, name) of each member named as ``@name`` in ``text``, once each.

    ``member`` looks a name key (NFKC, casefolded) up among the conversation's members,
    giving (account id, display name) or None. A name
    matches ignoring case when the character after it is not a letter or a digit; the
    longest name wins, so "@Ann Lee" mentions "Ann Lee" rather than "Ann".
    """
    if "@" not in text:
        return ()
    folded = unicodedata.normalize("NFKC", text).casefold()
    found: dict[int, str] = {}
    start = folded.find("@")
    while start != -1:
        for length in range(min(MAX_NAME_CHARS, len(folded) - start - 1), 0, -1):
            end = start + 1 + length
            found_member = member(folded[start + 1 : end])
            if found_member is not None and (end == len(folded) or not folded[end].isalnum()):
                found.setdefault(*found_member)
                break
        start = folded.find("@", start + 1)
    return tuple(found.items())
