"""Full-text search in the store, on real SQLite files: words, rights, and any query at all."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import say, sign_up
from hubbub.store import Account, Found, Store, default_url, open_store
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
