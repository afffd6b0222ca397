"""Work the hub asks for and cannot do itself: reads, writes and password hashing.

Each effect is a plain record of what to do; the server runs it (``await
effect.run(services)``) and hands the result back to the decision that asked. The hub
never awaits one: its rules stay pure and are tested by feeding results in by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from hubbub.protocol import Refusal
    from hubbub.store import (
        Account,
        AccountChange,
        Act,
        AuditRecord,
        ConversationSummary,
        Draft,
        Found,
        NameTaken,
        RoomRecord,
        SessionRecord,
        SignedUp,
        Store,
        StoredMessage,
    )

T = TypeVar("T")


class Passwords(Protocol):
    """Password hashing, run away from the event loop, with a bounded queue: None when the
    queue is full and the work was not done. A ``clean`` request (from a name and address
    without recent failures) may also use a few places kept for such requests."""

    async def hash(self, password: str, clean: bool = False) -> str | None: ...

    async def verify(
        self, password_hash: str, password: str, clean: bool = False
    ) -> bool | None: ...


class Services(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def passwords(self) -> Passwords: ...


class Effect(Generic[T]):
    """One piece of work for the server; its result goes to the decision's ``then``."""

    async def run(self, services: Services) -> T:
        raise NotImplementedError


# ---------------------------------------------------------------------- accounts


@dataclass(frozen=True, slots=True)
class FindAccount(Effect["Account | None"]):
    name_key: str

    async def run(self, services: Services) -> Account | None:
        return await services.store.find_account(self.name_key)


@dataclass(frozen=True, slots=True)
class CreateAccount(Effect["Account | NameTaken"]):
    """A new account; or what says the name (or one like it) was claimed meanwhile."""

    name: str
    name_key: str
    password_hash: str

    async def run(self, services: Services) -> Account | NameTaken:
        from hubbub.store import NameTaken

        try:
            return await services.store.create_account(self.name, self.name_key, self.password_hash)
        except NameTaken as taken:
            return taken


@dataclass(frozen=True, slots=True)
class SignUp(Effect["SignedUp | NameTaken"]):
    """A new account, a member of ``rooms`` having read to their ``heads``, with a token
    from ``device`` and ``address``: one commit. Or what says the name (or one like it)
    was claimed meanwhile."""

    name: str
    name_key: str
    password_hash: str
    rooms: tuple[str, ...]
    heads: Mapping[str, int]
    device: str | None = None
    address: str | None = None

    async def run(self, services: Services) -> SignedUp | NameTaken:
        return await services.store.sign_up(
            self.name,
            self.name_key,
            self.password_hash,
            self.rooms,
            self.heads,
            self.device,
            self.address,
        )


@dataclass(frozen=True, slots=True)
class HashPassword(Effect["str | None"]):
    """The password's hash; None if the hashing queue is full."""

    password: str
    clean: bool = False

    async def run(self, services: Services) -> str | None:
        return await services.passwords.hash(self.password, self.clean)


@dataclass(frozen=True, slots=True)
class VerifyPassword(Effect["bool | None"]):
    """Whether the password is right; None if the hashing queue is full."""

    password_hash: str
    password: str
    clean: bool = False

    async def run(self, services: Services) -> bool | None:
        return await services.passwords.verify(self.password_hash, self.password, self.clean)


@dataclass(frozen=True, slots=True)
class SetPassword(Effect[None]):
    account_id: int
    password_hash: str

    async def run(self, services: Services) -> None:
        await services.store.set_password(self.account_id, self.password_hash)


@dataclass(frozen=True, slots=True)
class IssueToken(Effect[str]):
    account_id: int
    device: str | None = None
    address: str | None = None

    async def run(self, services: Services) -> str:
        return await services.store.issue_token(self.account_id, self.device, self.address)


@dataclass(frozen=True, slots=True)
class AccountForToken(Effect["Account | None"]):
    """Sign in with a token last used at or after ``seen_since`` (older ones expire)."""

    token: str
    seen_since: float = 0.0
    device: str | None = None
    address: str | None = None

    async def run(self, services: Services) -> Account | None:
        return await services.store.account_for_token(
            self.token, self.seen_since, self.device, self.address
        )


@dataclass(frozen=True, slots=True)
class ListSessions(Effect["list[SessionRecord]"]):
    account_id: int
    seen_since: float = 0.0

    async def run(self, services: Services) -> list[SessionRecord]:
        return await services.store.sessions(self.account_id, self.seen_since)


@dataclass(frozen=True, slots=True)
class RevokeSessionId(Effect[bool]):
    """Revoke the account's session of that id; False if it has none."""

    account_id: int
    session_id: str

    async def run(self, services: Services) -> bool:
        return await services.store.revoke_session(self.account_id, self.session_id)


@dataclass(frozen=True, slots=True)
class RevokeTokens(Effect[None]):
    """Revoke every token of the account but ``keep``."""

    account_id: int
    keep: str | None = None

    async def run(self, services: Services) -> None:
        await services.store.revoke_tokens(self.account_id, self.keep)


@dataclass(frozen=True, slots=True)
class RevokeToken(Effect[None]):
    token: str

    async def run(self, services: Services) -> None:
        await services.store.revoke_token(self.token)


# ---------------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class Append(Effect["StoredMessage"]):
    """Store the draft. If the store finds its room archived (by another process, a
    change this one has not heard of yet), nothing is stored and the request is
    refused with the hub's ``archived()``: what the server runs next never sees a
    result that is not a stored entry."""

    draft: Draft
    archived: Callable[[], Refusal]

    async def run(self, services: Services) -> StoredMessage:
        from hubbub.store import RoomArchived

        try:
            return await services.store.append(self.draft)
        except RoomArchived:
            raise self.archived() from None


@dataclass(frozen=True, slots=True)
class ReadHistory(Effect["list[StoredMessage]"]):
    conversation: str
    before: int | None = None
    after: int | None = None
    limit: int = 50

    async def run(self, services: Services) -> list[StoredMessage]:
        return await services.store.history(
            self.conversation, before=self.before, after=self.after, limit=self.limit
        )


@dataclass(frozen=True, slots=True)
class ReadGap(Effect["list[StoredMessage] | None"]):
    """Up to ``limit`` entries after ``after`` that another process committed and this one
    has not had: tried again after each pause while the store is unavailable, None if it
    stayed so (or failed otherwise), so a conversation never waits for good."""

    conversation: str
    after: int
    limit: int
    pauses: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)

    async def run(self, services: Services) -> list[StoredMessage] | None:
        from hubbub.store import StoreError, StoreUnavailable

        for pause in (*self.pauses, None):
            try:
                return await services.store.history(
                    self.conversation, after=self.after, limit=self.limit
                )
            except StoreUnavailable:
                if pause is None:
                    return None
                await asyncio.sleep(pause)
            except StoreError:
                return None
        return None


@dataclass(frozen=True, slots=True)
class FindMessage(Effect["StoredMessage | None"]):
    conversation: str
    seq: int

    async def run(self, services: Services) -> StoredMessage | None:
        return await services.store.find_message(self.conversation, self.seq)


@dataclass(frozen=True, slots=True)
class IsMember(Effect[bool]):
    conversation: str
    account_id: int

    async def run(self, services: Services) -> bool:
        return await services.store.is_member(self.conversation, self.account_id)


@dataclass(frozen=True, slots=True)
class OpenChat(Effect[None]):
    conversation: str
    member_ids: tuple[int, int]

    async def run(self, services: Services) -> None:
        await services.store.open_chat(self.conversation, self.member_ids)


@dataclass(frozen=True, slots=True)
class Hold(Effect[None]):
    """Hold stored messages for an account again (written to a connection that dropped)."""

    entries: tuple[tuple[int, str, int], ...]
    """(account id, conversation, seq) of each."""

    async def run(self, services: Services) -> None:
        for account_id, conversation, seq in self.entries:
            await services.store.hold(account_id, conversation, seq)


@dataclass(frozen=True, slots=True)
class TakeHeld(Effect["list[StoredMessage]"]):
    account_id: int

    async def run(self, services: Services) -> list[StoredMessage]:
        return await services.store.take_held(self.account_id)


# ---------------------------------------------------------------------- rooms


@dataclass(frozen=True, slots=True)
class CreateRoom(Effect[bool]):
    """Record a new room; False if its name was taken meanwhile."""

    room: RoomRecord

    async def run(self, services: Services) -> bool:
        from hubbub.store import NameTaken

        try:
            await services.store.create_room(self.room)
        except NameTaken:
            return False
        return True


@dataclass(frozen=True, slots=True)
class UpdateRoom(Effect[None]):
    room_id: str
    topic: str | None = None
    archived: bool | None = None
    name_key: str | None = None

    async def run(self, services: Services) -> None:
        await services.store.update_room(
            self.room_id, topic=self.topic, archived=self.archived, name_key=self.name_key
        )


@dataclass(frozen=True, slots=True)
class AddMember(Effect[None]):
    """Make the account a member, having read up to ``read_to`` (what was said before it
    joined is history, not unread)."""

    conversation: str
    account_id: int
    read_to: int = 0

    async def run(self, services: Services) -> None:
        await services.store.add_member(self.conversation, self.account_id)
        if self.read_to:
            await services.store.mark_read(self.account_id, self.conversation, self.read_to)


@dataclass(frozen=True, slots=True)
class RemoveMember(Effect[None]):
    conversation: str
    account_id: int

    async def run(self, services: Services) -> None:
        await services.store.remove_member(self.conversation, self.account_id)


# ---------------------------------------------------------------------- moderation


@dataclass(frozen=True, slots=True)
class Moderate(Effect[int]):
    """Carry out a moderation act and write it to the audit log (one transaction)."""

    act: Act

    async def run(self, services: Services) -> int:
        return await services.store.moderate(self.act)


@dataclass(frozen=True, slots=True)
class SetBlock(Effect[None]):
    account_id: int
    other_id: int
    on: bool

    async def run(self, services: Services) -> None:
        await services.store.block(self.account_id, self.other_id, self.on)


@dataclass(frozen=True, slots=True)
class BlockedNames(Effect[list[str]]):
    account_id: int

    async def run(self, services: Services) -> list[str]:
        return await services.store.blocked_names(self.account_id)


@dataclass(frozen=True, slots=True)
class ReadAudit(Effect["list[AuditRecord]"]):
    before: int | None
    limit: int

    async def run(self, services: Services) -> list[AuditRecord]:
        return await services.store.audit(self.before, self.limit)


@dataclass(frozen=True, slots=True)
class AccountChanges(Effect["list[AccountChange]"]):
    """Audit rows about whole accounts above ``after``: what ``hubbub admin`` did."""

    after: int

    async def run(self, services: Services) -> list[AccountChange]:
        return await services.store.account_changes(self.after)


# ---------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class ListConversations(Effect["list[ConversationSummary]"]):
    account_id: int

    async def run(self, services: Services) -> list[ConversationSummary]:
        return await services.store.conversations(self.account_id)


@dataclass(frozen=True, slots=True)
class MoveReadMarker(Effect[int]):
    account_id: int
    conversation: str
    seq: int

    async def run(self, services: Services) -> int:
        return await services.store.mark_read(self.account_id, self.conversation, self.seq)


@dataclass(frozen=True, slots=True)
class SearchMessages(Effect["list[Found]"]):
    account_id: int
    query: str
    conversation: str | None
    offset: int
    limit: int

    async def run(self, services: Services) -> list[Found]:
        return await services.store.search(
            self.account_id,
            self.query,
            conversation=self.conversation,
            offset=self.offset,
            limit=self.limit,
        )


@dataclass(frozen=True, slots=True)
class Together(Effect[list[Any]]):
    """Several effects one after the other; their results in a list."""

    effects: Sequence[Effect[Any]]

    async def run(self, services: Services) -> list[Any]:
        return [await effect.run(services) for effect in self.effects]
