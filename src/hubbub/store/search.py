"""Full-text search of messages, one class per database dialect.

What a user types never reaches the search engine's query syntax: it is cut into
terms at whitespace, and each term is searched for as a quoted phrase, all of them
required. Only messages are found (not change records), never deleted ones, and only
in conversations the searcher is a member of.

On SQLite the index is an FTS5 table, ``message_search``, over the view
``message_search_source`` (the messages that can be found, their text without the
snippet's marker characters); the migrations make them. New messages are not indexed
in the commit that stores them (FTS5 would write a segment per commit): the
:class:`~hubbub.store.indexer.Indexer` adds them in batches, every row above the
high-water mark ``message_search_progress.indexed_to`` at once, and moves the mark.
Triggers on ``messages`` keep the index right for edits and deletes of the rows at or
below the mark. It is keyed by the messages' rowid, which ``VACUUM`` may renumber: after
a ``VACUUM``, run ``INSERT INTO message_search(message_search) VALUES ('rebuild')`` and
``UPDATE message_search_progress SET indexed_to = (SELECT max(rowid) FROM messages)``.

On PostgreSQL the index is a GIN index, ``message_search``, on the ``tsvector`` of the
text of the messages that can be found (the ``simple`` configuration: words lower-cased,
no stemming, no stop words, as FTS5's default tokenizer), kept by PostgreSQL in the
commit that stores a message: there is nothing to index later.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from hubbub.store.records import Found, StoreError

MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
"""Private-use characters that frame each match in a snippet; stripped from the text searched."""
ELLIPSIS = "…"
CONTEXT_TOKENS = 12
MAX_TERMS = 32
"""Terms beyond these are ignored: enough for any search a person types."""

_MARKS = re.compile(f"([{MARK_OPEN}{MARK_CLOSE}])")


def search_terms(query: str) -> list[str]:
    """The words of ``query`` as a search takes them: split at whitespace, markers dropped."""
    clean = query.encode("utf-8", "replace").decode("utf-8")
    for unsearchable in (MARK_OPEN, MARK_CLOSE):
        clean = clean.replace(unsearchable, "")
    return clean.replace("\x00", " ").split()[:MAX_TERMS]


def fts5_match(query: str) -> str | None:
    """An FTS5 query requiring every term of ``query`` as a quoted phrase; None if it has none."""
    phrases = ['"' + term.replace('"', '""') + '"' for term in search_terms(query)]
    return " ".join(phrases) or None


def highlighted(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet with its match markers taken out, and where they were: [start, end) offsets."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in _MARKS.split(marked):
        if piece == MARK_OPEN:
            start = length
        elif piece == MARK_CLOSE:
            if start is not None and start < length:
                spans.append((start, length))
            start = None
        else:
            plain.append(piece)
            length += len(piece)
    return "".join(plain), tuple(spans)


class Search(Protocol):
    """Finds messages by their words, for one dialect."""

    indexes_later: bool
    """New messages are indexed by :meth:`index`, off the commits that store them."""

    def index(self, connection: Connection, now: float) -> int:
        """A writer's operation: index every message not indexed yet; how many rows it took.

        It raises :class:`StoreError` (having written nothing) if the database refuses.
        """
        ...

    def find(
        self,
        connection: Connection,
        account_id: int,
        query: str,
        conversation: str | None,
        offset: int,
        limit: int,
    ) -> list[Found]:
        """On a reading connection: the page of matches the index has."""
        ...


class Fts5Search:
    """SQLite's FTS5: matches newest first, each with a snippet of about a dozen words."""

    indexes_later = True

    _QUERY = text(
        """
        SELECT m.conversation, m.seq, m.ts, m.sender,
               snippet(message_search, 0, :open, :close, :ellipsis, :tokens) AS marked
        FROM message_search
        JOIN messages AS m ON m.rowid = message_search.rowid
        WHERE message_search MATCH :match
          AND m.kind = 'message' AND NOT m.deleted
          AND m.conversation IN (SELECT conversation FROM members WHERE account_id = :account)
          AND (:conversation IS NULL OR m.conversation = :conversation)
        ORDER BY message_search.rowid DESC
        LIMIT :limit OFFSET :offset
        """
    )
    _MARK = text("SELECT indexed_to FROM message_search_progress")
    _TOP = text("SELECT coalesce(max(rowid), 0) FROM messages")
    _ADD = text(
        "INSERT INTO message_search(rowid, text) SELECT id, text FROM message_search_source "
        "WHERE id > :mark AND id <= :top"
    )
    _MOVE = text("UPDATE message_search_progress SET indexed_to = :top")

    def index(self, connection: Connection, _now: float) -> int:
        try:
            with connection.begin_nested():
                mark = connection.execute(self._MARK).scalar_one()
                top = connection.execute(self._TOP).scalar_one()
                if top <= mark:
                    return 0
                added = connection.execute(self._ADD, {"mark": mark, "top": top}).rowcount
                connection.execute(self._MOVE, {"top": top})
                return int(added)
        except SQLAlchemyError as exc:
            raise StoreError(f"the database refused to index new messages: {exc}") from exc

    def find(
        self,
        connection: Connection,
        account_id: int,
        query: str,
        conversation: str | None,
        offset: int,
        limit: int,
    ) -> list[Found]:
        match = fts5_match(query)
        if match is None:
            return []
        rows = connection.execute(
            self._QUERY,
            {
                "open": MARK_OPEN,
                "close": MARK_CLOSE,
                "ellipsis": ELLIPSIS,
                "tokens": CONTEXT_TOKENS,
                "match": match,
                "account": account_id,
                "conversation": conversation,
                "limit": limit,
                "offset": offset,
            },
        )
        return [
            Found(row.conversation, row.seq, row.ts, row.sender, *highlighted(row.marked))
            for row in rows
        ]


class PostgresSearch:
    """PostgreSQL's text search: the same matches, order and snippets as :class:`Fts5Search`.

    Each term is a phrase (``phraseto_tsquery``), all of them required (``&&``). The
    snippet is ``ts_headline``'s best fragment of about a dozen words, with an ellipsis
    added where the text was cut, as FTS5 puts one.
    """

    indexes_later = False

    _SEARCHED = "replace(replace(m.text, chr(57344), ''), chr(57345), '')"
    _VECTOR = f"to_tsvector('simple', {_SEARCHED})"
    """The expression migration 0002 indexes: a query must spell it the same to use it."""
    _HEADLINE_OPTIONS = (
        f'StartSel="{MARK_OPEN}", StopSel="{MARK_CLOSE}", MaxWords={CONTEXT_TOKENS}, '
        f"MinWords={CONTEXT_TOKENS // 2}, ShortWord=0, MaxFragments=1"
    )

    def index(self, connection: Connection, _now: float) -> int:
        """Nothing to do: PostgreSQL indexes each message in the commit that stores it."""
        return 0

    def find(
        self,
        connection: Connection,
        account_id: int,
        query: str,
        conversation: str | None,
        offset: int,
        limit: int,
    ) -> list[Found]:
        terms = search_terms(query)
        if not terms:
            return []
        wanted = " && ".join(f"phraseto_tsquery('simple', :term{n})" for n in range(len(terms)))
        only = "AND m.conversation = :conversation" if conversation is not None else ""
        statement = text(
            f"""
            SELECT m.conversation, m.seq, m.ts, m.sender, {self._SEARCHED} AS searched,
                   ts_headline('simple', {self._SEARCHED}, {wanted}, :options) AS marked
            FROM messages AS m
            WHERE {self._VECTOR} @@ ({wanted})
              AND m.kind = 'message' AND NOT m.deleted
              AND m.conversation IN (SELECT conversation FROM members WHERE account_id = :account)
              {only}
            ORDER BY m.ts DESC, m.seq DESC, m.conversation
            LIMIT :limit OFFSET :offset
            """
        )
        parameters: dict[str, object] = {f"term{n}": term for n, term in enumerate(terms)}
        parameters |= {
            "options": self._HEADLINE_OPTIONS,
            "account": account_id,
            "conversation": conversation,
            "limit": limit,
            "offset": offset,
        }
        return [
            Found(row.conversation, row.seq, row.ts, row.sender, *_cut(row.searched, row.marked))
            for row in connection.execute(statement, parameters)
        ]


def _cut(whole: str, marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet of ``whole`` with its matches, an ellipsis at each end where it was cut."""
    snippet, spans = highlighted(marked)
    start = whole.find(snippet)
    if start < 0:
        return snippet, spans
    before = ELLIPSIS if start > 0 else ""
    after = ELLIPSIS if start + len(snippet) < len(whole) else ""
    shift = len(before)
    return before + snippet + after, tuple((a + shift, b + shift) for a, b in spans)


def search_for(dialect: str) -> Search:
    """The search of this dialect's database."""
    if dialect == "sqlite":
        return Fts5Search()
    if dialect == "postgresql":
        return PostgresSearch()
    raise StoreError(f"full-text search on {dialect} is not supported")
