"""Two or three hubs, one per process, wired by hand: what one shares, the others apply.

The ops go through the envelope's bytes, as over the bus. Everyone is a member of the
Lobby: alice (account 1), bob (2), carol (3) and dave (4); an account signs in on
connection ``account`` of its hub unless told otherwise.
"""

from __future__ import annotations

from test_hub_chats import frames

from hubbub.hub import Decision, Hub, Outbox
from hubbub.hub.cluster import decode_envelope, encode_envelope
from hubbub.store import RoomRecord, StoredMessage

NAMES = {1: "alice", 2: "bob", 3: "carol", 4: "dave"}
WALL = 1_000_000.0


def presence(outbox: Outbox, conn: int) -> list[tuple[str, str]]:
    """The (name, status) changes told to ``conn`` in presence events."""
    return [
        (user["name"], user["status"])
        for frame in frames(outbox, conn)
        if frame["type"] == "presence" and not frame.get("full")
        for user in frame["users"]
    ]


def entry(seq: int, text: str = "", sender: int = 1, conversation: str = "lobby") -> StoredMessage:
    return StoredMessage(
        conversation, seq, 5.0, NAMES[sender], text or f"m{seq}", None, sender_id=sender
    )


def seqs(outbox: Outbox, conn: int) -> list[int]:
    return [f["seq"] for f in frames(outbox, conn) if f["type"] == "message"]


class Cluster:
    """Hubs named by their node ids; each chat they open is called ``chat:<node>``."""

    def __init__(self, *nodes: str) -> None:
        lobby = RoomRecord(
            "lobby", "Lobby", "lobby", "", False, None, 0.0, members=tuple(NAMES.items())
        )
        self.hubs: dict[str, Hub] = {}
        for node in nodes or ("a", "b"):
            hub = Hub(node=node, request_ttl=60.0, new_id=lambda prefix, n=node: f"{prefix}:{n}")
            hub.load([lobby], {})
            self.hubs[node] = hub
        self.waiting: list[tuple[str, Decision]] = []
        """Decisions made on applying an op that wait for an effect: (node, decision)."""

    def __getitem__(self, node: str) -> Hub:
        return self.hubs[node]

    def carry(self, node: str, out: Outbox, now: float = 0.0) -> dict[str, Outbox]:
        """What each hub sends once the others have applied ``out``'s ops (``node``'s own
        outbox included)."""
        heard = {name: Outbox() for name in self.hubs}
        heard[node].extend(out)
        if out.ops:
            envelope = decode_envelope(encode_envelope(node, out.ops))
            for other, hub in self.hubs.items():
                if other == node:
                    continue
                for op in envelope.ops:
                    decision = hub.apply(envelope.node, op, now, WALL)
                    if decision.effect is not None:
                        self.waiting.append((other, decision))
                    for name, told in self.carry(other, decision.out, now).items():
                        heard[name].extend(told)
        return heard

    def sign_in(
        self, node: str, account: int, conn: int | None = None, now: float = 0.0
    ) -> dict[str, Outbox]:
        conn = conn if conn is not None else account
        name = NAMES[account]
        self.hubs[node].connect(conn, f"127.0.0.1:{5000 + conn}", now)
        out = self.hubs[node].attach(conn, account, name, name, f"t{conn}", now)
        return self.carry(node, out, now)

    def tick(self, now: float) -> dict[str, Outbox]:
        heard = {name: Outbox() for name in self.hubs}
        for node, hub in self.hubs.items():
            for name, told in self.carry(node, hub.tick(now), now).items():
                heard[name].extend(told)
        return heard
