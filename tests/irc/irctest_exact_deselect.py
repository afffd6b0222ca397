"""A pytest plugin for the irctest run: ``--deselect-exact ID`` deselects that test only.

pytest's own ``--deselect`` takes node id prefixes, so deselecting ``testTopicMode``
would also deselect ``testTopicModern``.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--deselect-exact", action="append", default=[], metavar="ID")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    exact = set(config.getoption("deselect_exact"))
    kept = [item for item in items if item.nodeid not in exact]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in exact])
        items[:] = kept
