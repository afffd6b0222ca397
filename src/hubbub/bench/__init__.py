"""``hubbub bench``: the server's benchmark.

``catalog.py`` names the scenarios, their sizes and targets; ``command.py`` is the click
command; ``launch.py`` carries out a run: it seeds a temporary database (``accounts.py``)
and starts its own server (``server.py``), or aims at ``--url``. Each scenario
(``scenarios/<name>.py``) drives its load through raw connections (``crowd.py``; each a
``ChatWire`` of ``dialect.py``: a WebSocket, ``wire.py``, or IRC, ``irc.py``) or the client
library where that keeps up, with the steps they share in ``run.py``. ``--against
inspircd`` runs the same scenario on InspIRCd too (``inspircd.py``) and compares. Every
message is stamped and accounted for by (conversation, seq) (``ledger.py``); CPU, memory
and latency (``meter.py``) make a typed report (``report.py``), shown as a table
(``display.py``) or written as JSON.
"""
