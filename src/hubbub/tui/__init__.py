"""The terminal client: ``hubbub chat`` (a Textual app) and the one-shot ``send`` and ``calc``.

The app is a thin view over :class:`hubbub.client.ClientState`; what can be plain
(commands, completion, input history, labels, the transcript) lives in plain modules.
"""
