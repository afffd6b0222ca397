"""hubbub: a self-hosted chat system. One server, many kinds of client."""

__version__ = "0.1.0"
