"""What a request can fail with, besides a timeout (the built-in :class:`TimeoutError`)."""

from __future__ import annotations

from hubbub.protocol import ErrorCode


class RequestFailed(Exception):
    """The server answered a request with an ``error`` frame.

    ``code`` is one of the protocol's documented :class:`~hubbub.protocol.ErrorCode` values;
    ``message`` is the server's sentence for people; ``retry_after``, on ``rate_limited``
    and ``unavailable``, the seconds to wait before trying again.
    """

    def __init__(self, code: ErrorCode, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after


class ConnectionLost(ConnectionError):
    """There is no connection to carry a request, or it went away before the reply came.

    A request that fails this way may or may not have been carried out. Sends with a
    ``client_id`` (``say``, ``message_user``) are resent on their own after a resume, so for
    them this means the session ended; calling again with the same ``client_id`` is safe.
    Every other request is never sent again on its own.
    """
