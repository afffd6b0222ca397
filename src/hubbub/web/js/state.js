// What the page knows, in the shape of the Python library's client/state.py: me, the
// conversations (kind, name, topic, last_seq, read, unread, mentions), the members of
// each room with their status, who is typing where, the current 1:1 chat and the pending
// chat requests. Views subscribe to changes; client.js is the only writer.

import { Conversation, kindOf } from "./conversation.js";
import { LOBBY, nameKey, sameName } from "./names.js";

export { LOBBY, nameKey, sameName };
const SESSION_KEY = "hubbub.session";
const PLACE_PREFIX = "hubbub.place.";
export const TYPING_LASTS_MS = 6000;

export class ChatState {
  constructor() {
    this.listeners = new Map();
    this.reset();
  }

  reset() {
    this.me = null; // { name, status }
    this.chosen = "online";
    this.conversations = new Map();
    this.members = new Map(); // room id -> Map(nameKey -> { name, status, role })
    this.membersComplete = new Set(); // rooms whose whole member list was fetched
    this.typing = new Map(); // conversation id -> Map(nameKey -> { name, until })
    this.chat = null; // { conversation, partner } while a 1:1 chat lasts
    this.requests = []; // [{ from, to, expiresAt }] chat requests waiting, both ways
    this.outgoing = null; // { to, state: "waiting" | "declined", text } for the strip
    this.current = LOBBY; // the id of the conversation the page shows
    this.marks = {}; // conversation -> highest seq this page has seen (for resume)
    this.usersKnown = false;
    this.aloneText = null;
    this.ensure(LOBBY, { name: "Lobby", kind: "room" });
  }

  // ------------------------------------------------------------------ change notification

  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
  }

  emit(type, detail = {}) {
    for (const listener of this.listeners.get(type) ?? []) listener(detail);
  }

  // ------------------------------------------------------------------ conversations

  conversation(id) {
    return this.conversations.get(id) ?? null;
  }

  get active() {
    return (
      this.conversations.get(this.current) ??
      this.conversations.get(LOBBY) ??
      this.conversations.values().next().value
    );
  }

  isMe(name) {
    return sameName(name, this.me?.name);
  }

  ensure(id, fields = {}) {
    let conversation = this.conversations.get(id);
    if (!conversation) {
      conversation = new Conversation(id, fields);
      this.conversations.set(id, conversation);
    } else if (fields.name && !conversation.name) {
      conversation.name = fields.name;
    }
    return conversation;
  }

  /** Take a server summary (`conversations`, `room_added`, `room_changed`) into a conversation. */
  merge(summary) {
    const conversation = this.ensure(summary.id, { kind: summary.kind ?? kindOf(summary.id) });
    for (const field of ["name", "topic", "private", "archived", "owner"]) {
      if (summary[field] !== undefined) conversation[field] = summary[field];
    }
    // Positions only move forward: a summary may be older than what this page has seen.
    if (typeof summary.last_seq === "number") {
      conversation.last_seq = Math.max(conversation.last_seq, summary.last_seq);
    }
    if (typeof summary.read === "number") {
      const ahead = conversation.read > summary.read;
      conversation.read = Math.max(conversation.read, summary.read);
      if (!ahead) {
        if (typeof summary.unread === "number") conversation.unread = summary.unread;
        if (typeof summary.mentions === "number") conversation.mentions = summary.mentions;
      }
      if (conversation.read >= conversation.last_seq) {
        conversation.unread = 0;
        conversation.mentions = 0;
      }
    }
    if (summary.kind) conversation.kind = summary.kind;
    return conversation;
  }

  /** The DM conversation with `partner`, re-keying a placeholder once the server names it. */
  ensureDm(id, partner) {
    const existing = this.conversations.get(id);
    if (existing) {
      if (!existing.name) existing.name = partner;
      return existing;
    }
    const placeholderId = `new-dm:${nameKey(partner)}`;
    const placeholder = this.conversations.get(placeholderId);
    if (placeholder) {
      this.conversations.delete(placeholderId);
      placeholder.id = id;
      placeholder.loaded = false;
      placeholder.reachedStart = false;
      this.conversations.set(id, placeholder);
      if (this.current === placeholderId) {
        this.current = id;
        this.savePlace();
        this.emit("active", { rekeyed: true });
      }
      return placeholder;
    }
    return this.ensure(id, { name: partner, kind: "dm" });
  }

  /** A DM conversation to show for `partner` before the server has named it. */
  dmWith(partner) {
    for (const conversation of this.conversations.values()) {
      if (conversation.kind === "dm" && sameName(conversation.name, partner)) return conversation;
    }
    const conversation = this.ensure(`new-dm:${nameKey(partner)}`, { name: partner, kind: "dm" });
    conversation.loaded = true;
    conversation.reachedStart = true;
    return conversation;
  }

  /** The conversation a stored entry belongs to, made if new. */
  conversationFor(entry) {
    const id = entry.conversation;
    if (id.startsWith("dm:")) {
      const partner = this.isMe(entry.from) ? entry.to : entry.from;
      return this.ensureDm(id, partner ?? entry.from);
    }
    if (id.startsWith("chat:")) {
      const partner = this.chat?.conversation === id ? this.chat.partner : null;
      return this.ensure(id, { name: partner ?? (this.isMe(entry.from) ? null : entry.from) });
    }
    return this.ensure(id);
  }

  remove(id) {
    this.conversations.delete(id);
    this.members.delete(id);
    this.membersComplete.delete(id);
    this.typing.delete(id);
    delete this.marks[id];
    if (this.current === id) this.current = LOBBY;
  }

  seen(conversation, seq) {
    conversation.seqs.add(seq);
    if (seq > conversation.last_seq) conversation.last_seq = seq;
    if (seq > (this.marks[conversation.id] ?? 0)) this.marks[conversation.id] = seq;
  }

  /** Add a stored message; `live` ones count as unread when not being looked at. */
  addMessage(message, { live = false, viewing = false, changedUpTo = 0 } = {}) {
    const conversation = this.conversationFor(message);
    this.seen(conversation, message.seq);
    const own = this.isMe(message.from);
    const item = {
      type: "message",
      at: message.seq,
      rank: 0,
      seq: message.seq,
      ts: message.ts,
      from: message.from,
      text: message.text ?? "",
      to: message.to ?? null,
      mentions: message.mentions ?? [],
      clientId: message.client_id ?? null,
      edited: Boolean(message.edited),
      deleted: Boolean(message.deleted),
      own,
      changedAt: changedUpTo, // change records up to this seq are already in it
    };
    item.mentionsMe = !own && item.mentions.some((name) => this.isMe(name));
    const pending = item.clientId && own ? this.pendingFor(conversation, item.clientId) : null;
    if (pending) this.dropItem(conversation, pending);
    const index = conversation.insert(item);
    if (index < 0) return null;
    conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    if (live && !own && !item.deleted) {
      // One being looked at is marked read by the client (mark_read); others count.
      if (!viewing && message.seq > conversation.read) {
        conversation.unread += 1;
        if (item.mentionsMe) conversation.mentions += 1;
      }
      this.stopTyping(conversation.id, message.from);
    }
    this.emit("item", { conversation, item, index, live });
    if (live) this.emit("sidebar");
    return item;
  }

  /** A change record (`message_edited` / `message_deleted`): change its target if held. */
  applyChange(change) {
    const conversation = this.conversationFor(change);
    this.seen(conversation, change.seq);
    const item = conversation.bySeq.get(change.target);
    if (!item || change.seq <= item.changedAt) return;
    item.changedAt = change.seq;
    if (change.type === "message_deleted") {
      item.deleted = true;
      item.text = "";
    } else {
      item.text = change.text;
      item.edited = true;
    }
    this.emit("changed", { conversation, item });
  }

  /** A line only this page shows: joins, leaves, calculator answers, chat notes. */
  addLocal(conversationId, kind, parts) {
    const conversation = this.conversations.get(conversationId) ?? this.active;
    const item = {
      type: "local",
      kind,
      parts,
      at: Math.max(conversation.highestSeq, conversation.last_seq),
      rank: 1,
      ts: Date.now() / 1000,
    };
    const index = conversation.insert(item);
    this.emit("item", { conversation, item, index, live: true });
    return item;
  }

  /** A send on its way: shown greyed until the stored message replaces it. */
  addPending(conversation, clientId, text) {
    const item = {
      type: "pending",
      at: Number.MAX_SAFE_INTEGER,
      rank: 0,
      clientId,
      text,
      ts: Date.now() / 1000,
      from: this.me?.name ?? "",
      own: true,
    };
    const index = conversation.insert(item);
    this.emit("item", { conversation, item, index, live: true });
    return item;
  }

  pendingFor(conversation, clientId) {
    return conversation.items.find((i) => i.type === "pending" && i.clientId === clientId) ?? null;
  }

  dropItem(conversation, item) {
    const index = conversation.remove(item);
    if (index >= 0) this.emit("removed", { conversation, item, index });
  }

  /** Mark where "new messages" start in the conversation being opened. */
  placeDivider(conversation) {
    const old = conversation.items.find((i) => i.type === "divider");
    if (old) this.dropItem(conversation, old);
    // Not at the very start of a long history: to a newcomer, all of it is new.
    const useful = conversation.unread > 0 && (conversation.read > 0 || conversation.unread <= 50);
    conversation.divider = useful ? conversation.read : null;
    if (conversation.divider === null) return;
    conversation.insert({ type: "divider", at: conversation.divider, rank: 2, ts: 0 });
  }

  open(id) {
    const conversation = this.conversations.get(id);
    if (!conversation) return;
    const previous = this.active;
    if (previous && previous.id !== id) {
      const old = previous.items.find((i) => i.type === "divider");
      if (old) previous.remove(old);
      previous.divider = null;
    }
    this.current = id;
    this.placeDivider(conversation);
    this.emit("active");
    this.emit("sidebar");
    this.savePlace();
  }

  // ------------------------------------------------------------------ members and presence

  roomMembers(roomId) {
    let members = this.members.get(roomId);
    if (!members) {
      members = new Map();
      this.members.set(roomId, members);
    }
    return members;
  }

  /** Set someone's status in a room; returns their previous one ("offline" if unknown). */
  setMember(roomId, name, status, role = undefined) {
    const members = this.roomMembers(roomId);
    const key = nameKey(name);
    const old = members.get(key);
    const before = old?.status ?? "offline";
    members.set(key, { name, status, role: role ?? old?.role ?? "member" });
    if (this.isMe(name) && status !== "offline") {
      this.me.status = status;
    }
    return before;
  }

  dropMember(roomId, name) {
    const members = this.members.get(roomId);
    const key = nameKey(name);
    const old = members?.get(key);
    members?.delete(key);
    return old?.status ?? "offline";
  }

  /** Everyone online who shares a room with me, and me: what the "Online now" list shows. */
  get requestsToMe() {
    return this.requests.filter((r) => this.isMe(r.to));
  }

  get requestsFromMe() {
    return this.requests.filter((r) => this.isMe(r.from));
  }

  get users() {
    const online = new Map();
    for (const members of this.members.values()) {
      for (const [key, member] of members) {
        if (member.status !== "offline") online.set(key, member);
      }
    }
    if (this.me) online.set(nameKey(this.me.name), { ...this.me });
    return online;
  }

  user(name) {
    return this.users.get(nameKey(name)) ?? null;
  }

  /** The status to show for someone: the freshest one heard in any room. */
  statusOf(name) {
    return this.user(name)?.status ?? "offline";
  }

  get alone() {
    if (!this.me || !this.usersKnown) return false;
    return this.users.size <= 1;
  }

  // ------------------------------------------------------------------ typing

  setTyping(conversationId, name) {
    let typing = this.typing.get(conversationId);
    if (!typing) {
      typing = new Map();
      this.typing.set(conversationId, typing);
    }
    typing.set(nameKey(name), { name, until: Date.now() + TYPING_LASTS_MS });
    this.emit("typing", { conversationId });
  }

  stopTyping(conversationId, name) {
    if (this.typing.get(conversationId)?.delete(nameKey(name))) {
      this.emit("typing", { conversationId });
    }
  }

  typingIn(conversationId) {
    const now = Date.now();
    const typing = this.typing.get(conversationId);
    if (!typing) return [];
    for (const [key, entry] of typing) if (entry.until <= now) typing.delete(key);
    return [...typing.values()].map((entry) => entry.name);
  }

  // ------------------------------------------------------------------ persistence

  static loadSession() {
    try {
      const session = JSON.parse(localStorage.getItem(SESSION_KEY) ?? "null");
      return session && session.name && session.token ? session : null;
    } catch {
      return null;
    }
  }

  saveSession(name, token) {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ name, token }));
  }

  forgetSession() {
    const session = ChatState.loadSession();
    localStorage.removeItem(SESSION_KEY);
    if (session) localStorage.removeItem(PLACE_PREFIX + nameKey(session.name));
  }

  /** Remember which conversation is open, so a reload comes back to it. */
  savePlace() {
    if (!this.me) return;
    const id = this.current;
    if (id.startsWith("new-dm:")) return;
    try {
      localStorage.setItem(PLACE_PREFIX + nameKey(this.me.name), id);
    } catch {
      // storage full or disabled: a reload opens the Lobby
    }
  }

  savedPlace(name) {
    try {
      return localStorage.getItem(PLACE_PREFIX + nameKey(name));
    } catch {
      return null;
    }
  }
}
