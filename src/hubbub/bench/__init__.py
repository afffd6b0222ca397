"""``hubbub bench``: the server's benchmark.

``catalog.py`` names the scenarios, their sizes and targets; ``command.py`` is the click
command; ``launch.py`` carries out a run: it seeds a temporary database (``accounts.py``)
and starts its own server (``server.py``), or aims at ``--url``. Each scenario
(``scenarios/<name>.py``) drives its load through raw WebSocket connections (``wire.py``,
``crowd.py``) or the client library where that keeps up, with the steps they share in
``run.py``. Every message is stamped and accounted for by (conversation, seq)
(``ledger.py``); CPU, memory and latency (``meter.py``) make a typed report
(``report.py``), shown as a table (``display.py``) or written as JSON.
"""
