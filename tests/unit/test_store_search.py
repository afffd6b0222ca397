"""Full-text search in the store, on real SQLite files: words, rights, and any query at all."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import say, sign_up
from hubbub.store import Account, Found, Store, default_url, indexer, open_store
from hubbub.store.search import MARK_CLOSE, MARK_OPEN, fts5_match, highlighted


async def seqs(store: Store, account: Account, query: str, **more: Any) -> list[int]:
    return [found.seq for found in await store.search(account.id, query, **more)]


async def test_search_finds_messages_with_every_word_newest_first(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    for text in ("The quick brown fox", "a slow brown dog", "QUICK, said the fox", "nothing"):
        await store.append(say(ann, text))

    assert await seqs(store, ann, "quick") == [3, 1]
    assert await seqs(store, ann, "fox   Quick") == [3, 1]
    assert await seqs(store, ann, "brown") == [2, 1]
    assert await seqs(store, ann, "quick dog") == []
    assert await seqs(store, ann, "qui") == []


async def test_a_hit_has_a_snippet_with_its_matches_marked(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "The quick brown fox"))

    [found] = await store.search(ann.id, "fox quick")

    assert found.conversation == "lobby"
    assert (found.seq, found.sender) == (1, "Ann")
    assert found.snippet == "The quick brown fox"
    assert found.highlights == ((4, 9), (16, 19))
    assert [found.snippet[a:b] for a, b in found.highlights] == ["quick", "fox"]


async def test_a_long_message_is_cut_to_about_a_dozen_words_around_the_match(
    store: Store,
) -> None:
    ann = await sign_up(store, "Ann")
    words = [f"w{n}" for n in range(60)]
    words[30] = "needle"
    await store.append(say(ann, " ".join(words)))

    [found] = await store.search(ann.id, "needle")

    assert "…" in found.snippet
    assert len(found.snippet.split()) <= 14
    [(start, end)] = found.highlights
    assert found.snippet[start:end] == "needle"


async def test_search_only_looks_in_the_searchers_conversations(store: Store) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]
    await store.append(say(ann, "secret in the lobby"))
    await store.append(say(ann, "secret for Bob", "dm:1:2", to="Bob", members=(ann.id, bob.id)))
    await store.open_chat("chat:ac", [ann.id, cat.id])
    await store.append(say(ann, "secret for Cat", "chat:ac"))

    def where(found: list[Found]) -> list[str]:
        return [hit.conversation for hit in found]

    assert where(await store.search(ann.id, "secret")) == ["chat:ac", "dm:1:2", "lobby"]
    assert where(await store.search(bob.id, "secret")) == ["dm:1:2", "lobby"]
    assert where(await store.search(cat.id, "secret")) == ["chat:ac", "lobby"]
    assert where(await store.search(cat.id, "secret", conversation="dm:1:2")) == []
    assert where(await store.search(ann.id, "secret", conversation="dm:1:2")) == ["dm:1:2"]


async def test_deleted_messages_and_old_words_are_not_found(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "typo here"))
    await store.append(say(ann, "regret this"))
    await store.append(say(ann, "fixed here", kind="edit", target=1))
    await store.append(say(ann, "", kind="delete", target=2))

    assert await seqs(store, ann, "typo") == []
    assert await seqs(store, ann, "fixed") == [1]
    assert await seqs(store, ann, "regret") == []
    assert await seqs(store, ann, "here") == [1]


async def test_pages_of_results(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    for n in range(7):
        await store.append(say(ann, f"page {n}"))

    assert await seqs(store, ann, "page", limit=3) == [7, 6, 5]
    assert await seqs(store, ann, "page", offset=3, limit=3) == [4, 3, 2]
    assert await seqs(store, ann, "page", offset=6, limit=3) == [1]
    with pytest.raises(ValueError, match="limit"):
        await store.search(ann.id, "page", limit=0)


async def test_marker_characters_in_a_message_do_not_confuse_snippets(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, f"odd{MARK_OPEN} text{MARK_CLOSE} with marks"))

    [found] = await store.search(ann.id, "text")

    assert found.snippet == "odd text with marks"
    assert found.highlights == ((4, 8),)


HOSTILE = [
    "",
    "   ",
    '"',
    '""',
    '"unbalanced',
    "*",
    "hello*",
    "NEAR(",
    "NEAR(a b, 2)",
    "col:x",
    "text:hello",
    "AND",
    "OR",
    "NOT",
    "a AND OR NOT b",
    "-",
    "-hello",
    "^hello",
    "+",
    "(",
    ")",
    "{text}: hello",
    "'",
    "\\",
    "\x00",
    "hello\x00world",
    "\ud800",
    "héllo wörld 你好 🎉",
    "x" * 200,
    " ".join(["a"] * 100),
    "%_",
    "; DROP TABLE messages; --",
]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_no_query_can_break_search(store: Store, hostile: str) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "hello world, said the text"))

    assert isinstance(await store.search(ann.id, hostile), list)
    assert len(await store.history("lobby")) == 1


async def test_quotes_in_a_word_are_searched_for_literally(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, 'she said "hello" AND left'))

    assert await seqs(store, ann, '"hello"') == [1]
    assert await seqs(store, ann, "AND") == [1]
    assert fts5_match('say "hi"') == '"say" """hi"""'
    assert fts5_match("  \t ") is None


def test_highlighted_takes_the_markers_out() -> None:
    marked = f"…a {MARK_OPEN}b{MARK_CLOSE} c {MARK_OPEN}dd{MARK_CLOSE}"
    assert highlighted(marked) == ("…a b c dd", ((3, 4), (7, 9)))
    assert highlighted("plain") == ("plain", ())


# ------------------------------------------------------------------ indexing in batches


@pytest.fixture
async def lazy_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    """A store whose indexer's timer never goes off in a test: only a search or close index."""
    monkeypatch.setattr(indexer, "DELAY", 3600.0)
    opened = await open_store(default_url(tmp_path))
    yield opened
    await opened.close()


def in_index(db: Path) -> tuple[int, int, int]:
    """Rows in the full-text index, messages that should be, and the high-water mark."""
    with sqlite3.connect(db) as connection:
        [(indexed,)] = connection.execute("SELECT count(*) FROM message_search_docsize")
        [(findable,)] = connection.execute("SELECT count(*) FROM message_search_source")
        [(mark,)] = connection.execute("SELECT indexed_to FROM message_search_progress")
    return indexed, findable, mark


def check_index(db: Path) -> None:
    """Every findable message indexed once, with its text as it is now: FTS5's own check."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO message_search(message_search, rank) VALUES ('integrity-check', 1)"
        )
    indexed, findable, _ = in_index(db)
    assert indexed == findable


async def test_a_message_is_found_as_soon_as_it_is_acknowledged(
    lazy_store: Store, tmp_path: Path
) -> None:
    ann = await sign_up(lazy_store, "Ann")
    await lazy_store.append(say(ann, "first words"))
    assert await seqs(lazy_store, ann, "first") == [1]

    sent = await lazy_store.append(say(ann, "second words"))
    assert in_index(tmp_path / "hubbub.db") == (1, 2, 1)  # not indexed in its commit

    assert await seqs(lazy_store, ann, "words") == [sent.seq, 1]
    assert in_index(tmp_path / "hubbub.db") == (2, 2, 2)


async def test_the_timer_indexes_new_messages_in_one_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexer, "DELAY", 0.05)
    store = await open_store(default_url(tmp_path))
    try:
        ann = await sign_up(store, "Ann")
        commits = store.commits
        await asyncio.gather(*(store.append(say(ann, f"burst {n}")) for n in range(20)))
        for _ in range(100):
            if in_index(tmp_path / "hubbub.db")[0] == 20:
                break
            await asyncio.sleep(0.02)
        assert in_index(tmp_path / "hubbub.db") == (20, 20, 20)
        assert store.commits - commits <= 3  # the burst's commit(s), and one indexing
    finally:
        await store.close()


async def test_edits_and_deletes_keep_the_index_right_before_and_after_indexing(
    lazy_store: Store, tmp_path: Path
) -> None:
    ann = await sign_up(lazy_store, "Ann")
    for text in ("alpha one", "beta two", "gamma three"):
        await lazy_store.append(say(ann, text))
    assert await seqs(lazy_store, ann, "alpha") == [1]  # indexes 1-3
    for text in ("delta four", "epsilon five"):
        await lazy_store.append(say(ann, text))  # 4 and 5: not indexed yet

    await lazy_store.append(say(ann, "alpha2 edited", kind="edit", target=1))
    await lazy_store.append(say(ann, "", kind="delete", target=2))
    await lazy_store.append(say(ann, "delta2 edited", kind="edit", target=4))
    await lazy_store.append(say(ann, "", kind="delete", target=5))
    assert in_index(tmp_path / "hubbub.db") == (2, 3, 3)

    for query, expected in [
        ("alpha", []),
        ("alpha2", [1]),
        ("beta", []),
        ("gamma", [3]),
        ("delta", []),
        ("delta2", [4]),
        ("epsilon", []),
        ("edited", [4, 1]),
    ]:
        assert await seqs(lazy_store, ann, query) == expected, query
    check_index(tmp_path / "hubbub.db")

    await lazy_store.append(say(ann, "delta3", kind="edit", target=4))
    await lazy_store.append(say(ann, "", kind="delete", target=3))
    assert await seqs(lazy_store, ann, "delta2") == []
    assert await seqs(lazy_store, ann, "delta3") == [4]
    assert await seqs(lazy_store, ann, "gamma") == []
    check_index(tmp_path / "hubbub.db")


async def test_close_indexes_what_is_left(lazy_store: Store, tmp_path: Path) -> None:
    ann = await sign_up(lazy_store, "Ann")
    await lazy_store.append(say(ann, "left for close"))
    await lazy_store.close()

    assert in_index(tmp_path / "hubbub.db") == (1, 1, 1)
    check_index(tmp_path / "hubbub.db")


KILLED_AFTER_APPENDING = """
import asyncio, os, sys
from hubbub.store import Draft, indexer, open_store

async def main() -> None:
    indexer.DELAY = 3600.0
    store = await open_store(sys.argv[1])
    for n in range(5):
        await store.append(Draft("lobby", 1, "Ann", f"crash {n}"))
    os._exit(0)

asyncio.run(main())
"""


async def killed_after_appending(data_dir: Path) -> None:
    """Five messages appended by a process that dies (no close) once they are acknowledged."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", KILLED_AFTER_APPENDING, default_url(data_dir)
    )
    assert await process.wait() == 0


async def test_a_store_killed_before_indexing_catches_up_when_reopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "hubbub.db"
    store = await open_store(default_url(tmp_path))
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "said first"))
    await store.close()

    await killed_after_appending(tmp_path)
    assert in_index(db) == (1, 6, 1)

    monkeypatch.setattr(indexer, "DELAY", 0.05)
    store = await open_store(default_url(tmp_path))
    try:
        for _ in range(100):  # the first idle moment indexes them
            if in_index(db)[0] == 6:
                break
            await asyncio.sleep(0.02)
        assert in_index(db) == (6, 6, 6)
        assert await seqs(store, ann, "crash") == [6, 5, 4, 3, 2]
    finally:
        await store.close()
    check_index(db)


async def test_a_search_right_after_a_crash_finds_everything(tmp_path: Path) -> None:
    db = tmp_path / "hubbub.db"
    store = await open_store(default_url(tmp_path))
    await sign_up(store, "Ann")
    await store.close()
    await killed_after_appending(tmp_path)

    store = await open_store(default_url(tmp_path))
    try:
        assert [hit.seq for hit in await store.search(1, "crash")] == [5, 4, 3, 2, 1]
    finally:
        await store.close()
    check_index(db)


async def test_no_message_is_indexed_twice_however_searches_and_appends_interleave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexer, "DELAY", 0.005)
    store = await open_store(default_url(tmp_path))
    try:
        ann = await sign_up(store, "Ann")

        async def chat(n: int) -> None:
            sent = await store.append(say(ann, f"word{n} common"))
            if n % 3 == 0:
                await store.append(say(ann, f"edited{n} common", kind="edit", target=sent.seq))
            if n % 5 == 0:
                await store.append(say(ann, "", kind="delete", target=sent.seq))

        async def look(n: int) -> None:
            await asyncio.sleep(n * 0.001)
            assert isinstance(await store.search(ann.id, "common"), list)

        for round_ in range(5):
            await asyncio.gather(
                *(chat(round_ * 40 + n) for n in range(40)),
                *(look(n) for n in range(5)),
            )
            await asyncio.sleep(0.01 * round_)
        found = await store.search(ann.id, "common", limit=1000)
        assert len(found) == 200 - 40  # every fifth is deleted
    finally:
        await store.close()
    check_index(tmp_path / "hubbub.db")


# ------------------------------------------------------------------ properties, on one store

Runner = Any
"""Runs a coroutine to its end on the shared store's loop."""
SHARED_STORE = [HealthCheck.function_scoped_fixture]
"""The store fixture is the module's, shared on purpose by every example."""


@pytest.fixture(scope="module")
def one_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runner, Store]]:
    """A store on a loop of its own, shared by the examples of a property."""
    runner = asyncio.Runner()
    store = runner.run(open_store(default_url(tmp_path_factory.mktemp("search"))))
    yield runner.run, store
    runner.run(store.close())
    runner.close()


@settings(max_examples=200, deadline=None, suppress_health_check=SHARED_STORE)
@given(query=st.text(max_size=200))
def test_any_text_is_a_query(one_store: tuple[Runner, Store], query: str) -> None:
    run, store = one_store
    if run(store.find_account("ann")) is None:
        ann = run(store.create_account("Ann", "ann", "hash"))
        run(store.append(say(ann, 'some words to find, with "quotes" and * stars')))

    found = run(store.search(1, query))

    assert isinstance(found, list)
    for hit in found:
        assert all(0 <= a < b <= len(hit.snippet) for a, b in hit.highlights)


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éüß", min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_STORE)
@given(words=st.lists(WORD, min_size=1, max_size=8), pick=st.integers(min_value=0))
def test_every_word_of_a_message_finds_it(
    one_store: tuple[Runner, Store], words: list[str], pick: int
) -> None:
    run, store = one_store
    ann = run(store.find_account("bea")) or run(store.create_account("Bea", "bea", "hash"))
    sent = run(store.append(say(ann, " ".join(words), "chat:words", members=(ann.id,))))
    word = words[pick % len(words)]

    found = run(store.search(ann.id, word, conversation="chat:words", limit=1000))

    assert sent.seq in [hit.seq for hit in found]
