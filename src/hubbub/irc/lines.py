"""IRC lines (RFC 1459 as modernised, with IRCv3 message tags): parsing and formatting."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LINE_BYTES = 8191 + 512
"""Tags (8191) and the rest (512): a longer line is refused with 417."""
MAX_TAGS_BYTES = 4096
"""A client's tags, with their ``@``: more is refused with 417."""

TEXT_LAST = frozenset(
    {"PRIVMSG", "NOTICE", "TOPIC", "PART", "QUIT", "AWAY", "ERROR", "CAP", "AUTHENTICATE"}
)
"""Commands whose last parameter is text: always sent as a trailing one (``:text``)."""
_TAG_ESCAPES = {";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n"}
_TAG_UNESCAPES = {"\\:": ";", "\\s": " ", "\\\\": "\\", "\\r": "\r", "\\n": "\n"}


@dataclass(frozen=True, slots=True)
class Line:
    command: str
    """Upper-cased."""
    params: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    source: str | None = None


def parse(raw: str) -> Line | None:
    """One line without its CR LF; None for an empty one."""
    rest = raw.strip("\r\n").lstrip(" ")
    tags: dict[str, str] = {}
    if rest.startswith("@"):
        tag_text, _, rest = rest[1:].partition(" ")
        for item in tag_text.split(";"):
            key, _, value = item.partition("=")
            if key:
                tags[key] = _unescape(value)
        rest = rest.lstrip(" ")
    source = None
    if rest.startswith(":"):
        source, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    trailing = None
    if " :" in rest:
        rest, _, trailing = rest.partition(" :")
    elif rest.startswith(":"):
        rest, trailing = "", rest[1:]
    words = rest.split()
    if not words:
        return None
    params = words[1:] + ([trailing] if trailing is not None else [])
    return Line(words[0].upper(), params, tags, source)


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        pair = value[i : i + 2]
        if pair in _TAG_UNESCAPES:
            out.append(_TAG_UNESCAPES[pair])
            i += 2
        elif value[i] == "\\":
            i += 1
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def format_line(
    command: str, *params: str, source: str | None = None, tags: dict[str, str] | None = None
) -> bytes:
    """One line with its CR LF; the last parameter is sent as a trailing one when it must be."""
    parts: list[str] = []
    if tags:
        parts.append("@" + ";".join(tag_text(key, value) for key, value in tags.items()))
    if source is not None:
        parts.append(":" + source)
    parts.append(command)
    if params:
        *middle, last = params
        parts.extend(middle)
        needs_colon = (
            command in TEXT_LAST
            or command.isdigit()
            or not last
            or " " in last
            or last.startswith(":")
        ) and not (command == "JOIN" and len(params) == 1)
        parts.append(":" + last if needs_colon else last)
    return (" ".join(parts) + "\r\n").encode("utf-8", "replace")


def tag_text(key: str, value: str) -> str:
    """``key=value`` as a tag is written, the value escaped."""
    if not value:
        return key
    return key + "=" + "".join(_TAG_ESCAPES.get(char, char) for char in value)
