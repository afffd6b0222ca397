"""``hubbub desktop``: the Tk client, with the messenger's windows and every room.

The network runs on the client library in an asyncio loop of its own thread
(:mod:`.network`); Tk is touched only on the Tk thread, which takes what the network
delivers from a queue it polls with ``after`` (:mod:`.app`). What each window shows is
decided by plain classes without Tk (:mod:`.model`, :mod:`.transcript`, :mod:`.rows`,
:mod:`.composer`, :mod:`.signin`), unit-tested without a display; the Tk layer is thin.

Importing this package does not import Tk: the command line loads
:mod:`hubbub.desktop.app` only when ``hubbub desktop`` runs.
"""
