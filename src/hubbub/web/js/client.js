// The chat as the page uses it: actions (sign in, send, join a room, search, ask for a
// chat…) turned into protocol requests. Server events are read by events.js.

import { Connection, RequestError, serverUrl } from "./connection.js";
import { handleEvent } from "./events.js";
import { History } from "./history.js";
import { ChatState, LOBBY, sameName } from "./state.js";

const REQUEST_TTL_MS = 65000;
const TYPING_EVERY_MS = 3000;
const MARK_READ_DELAY_MS = 250;

const DECLINED = {
  declined: (by) => `${by} declined your chat request.`,
  expired: (by) => `${by} did not answer your chat request in time.`,
  left: (by) => `${by} went offline before answering.`,
  busy: (by) => `${by} is now in another chat.`,
};

function newClientId() {
  const random = crypto.getRandomValues(new Uint32Array(3));
  return `web-${Date.now().toString(36)}-${[...random].map((n) => n.toString(36)).join("")}`;
}

export class ChatClient {
  constructor(state) {
    this.state = state;
    this.session = ChatState.loadSession();
    this.outgoingTimer = null;
    this.outbox = new Map(); // client_id -> an unanswered send, resent after a reconnect
    this.typingSent = new Map(); // conversation -> when we last said we were typing
    this.markTimers = new Map();
    this.refreshTimer = null;
    this.connection = new Connection(serverUrl(), {
      onEvent: (frame) => handleEvent(this, frame),
      onOpen: () => this.onOpen(),
      onStatus: (status) => state.emit("connection", { status }),
    });
    this.history = new History(this.connection, state);
    state.on("active", ({ rekeyed }) => {
      // A new direct conversation just got its id: fetch anything it already holds.
      if (rekeyed) this.loadLatest(state.activeId).catch(() => {});
    });
    addEventListener("pagehide", () => {
      // A close frame ends the session now: the partner of a 1:1 chat is told at once.
      this.connection.stop("page closed");
    });
    addEventListener("pageshow", (event) => {
      if (event.persisted) this.connection.start();
    });
    addEventListener("online", () => this.connection.retryNow());
    document.addEventListener("visibilitychange", () => this.markViewed());
  }

  start() {
    this.connection.start();
  }

  get hasSession() {
    return this.session !== null;
  }

  request(type, fields) {
    return this.connection.request(type, fields);
  }

  // ------------------------------------------------------------------ signing in and out

  async onOpen() {
    if (!this.session) return;
    const { name, token } = this.session;
    let ok;
    try {
      ok = await this.request("sign_in", { name, token, since: this.sinceMarks() });
    } catch (error) {
      if (error.code === "invalid_token" || error.code === "invalid_name") {
        this.forget(name, "Your session has ended. Please sign in again.");
        return;
      }
      throw error;
    }
    this.afterSignIn(ok);
  }

  async signIn(name, password) {
    if (!this.connection.isOpen) {
      throw new RequestError("offline", "the server cannot be reached yet — retrying…");
    }
    this.state.reset();
    const ok = await this.request("sign_in", { name, password });
    this.afterSignIn(ok);
  }

  sinceMarks() {
    const since = {};
    if (!this.state.me) return since; // a fresh page starts from the heads
    for (const [id, seq] of Object.entries(this.state.marks)) {
      if (Number.isSafeInteger(seq) && seq >= 0 && !id.startsWith("new-")) since[id] = seq;
    }
    return since;
  }

  /** Runs synchronously on the `ok`, before the presence lists and replayed messages. */
  afterSignIn(ok) {
    const state = this.state;
    const resumed = state.me !== null;
    state.me = { name: ok.name, status: ok.status };
    if (ok.status === "online" || ok.status === "away") state.chosen = ok.status;
    for (const [id, head] of Object.entries(ok.heads ?? {})) {
      const conversation = state.ensure(id);
      conversation.last_seq = Math.max(conversation.last_seq, head);
      if (!(id in state.marks)) state.marks[id] = head;
    }
    this.session = { name: ok.name, token: ok.token };
    state.saveSession(ok.name, ok.token);
    if (!resumed) {
      const place = state.savedPlace(ok.name);
      if (place && place in (ok.heads ?? {})) state.activeId = place;
    }
    this.restoreChat(ok.chat ?? null, resumed);
    this.restoreRequests(ok.requests ?? []);
    state.emit("signed-in", { resumed });
    state.emit("me");
    state.emit("sidebar");
    this.refreshUsers().catch(() => {});
    this.refreshConversations()
      .then(() => this.loadLatest(state.activeId))
      .catch(() => {});
    for (const entry of this.outbox.values()) this.deliver(entry).catch(() => {});
  }

  restoreChat(chat, resumed) {
    const state = this.state;
    if (chat) {
      if (state.chat?.conversation === chat.conversation) return;
      state.chat = { conversation: chat.conversation, with: chat.with };
      const conversation = state.ensure(chat.conversation, { name: chat.with, kind: "chat" });
      conversation.ended = null;
      state.emit("chat");
      if (!resumed) state.activeId = chat.conversation; // a new device opens into the chat
    } else if (state.chat) {
      this.chatOver(state.chat.conversation, "The chat ended while you were disconnected.");
    }
  }

  restoreRequests(requests) {
    const state = this.state;
    const now = Date.now();
    state.requests = requests.map((r) => ({
      from: r.from,
      to: r.to,
      expiresAt: now + Number(r.expires_in ?? 60) * 1000,
    }));
    const mine = state.requests.find((r) => state.isMe(r.from));
    if (mine) {
      state.outgoing = { to: mine.to, state: "waiting" };
    } else if (state.outgoing?.state === "waiting") {
      state.outgoing = null;
    }
    state.emit("outgoing");
    for (const request of state.requests) {
      if (state.isMe(request.to)) {
        state.emit("chat-request", { from: request.from, expiresIn: (request.expiresAt - now) / 1000 });
      }
    }
  }

  forget(name, reason) {
    this.session = null;
    this.outbox.clear();
    this.state.forgetSession();
    this.state.reset();
    clearTimeout(this.outgoingTimer);
    this.state.emit("signed-out", { name, reason });
  }

  async signOut() {
    try {
      await this.request("sign_out");
    } catch {
      // offline: the token is forgotten here all the same
    }
    this.forget(this.state.me?.name ?? this.session?.name ?? "", "");
  }

  // ------------------------------------------------------------------ people, status, lists

  async refreshUsers() {
    const ok = await this.request("users");
    const state = this.state;
    state.usersKnown = true;
    const mine = ok.users.find((u) => state.isMe(u.name));
    if (mine) state.me.status = mine.status;
    state.emit("users");
    state.emit("me");
    return ok.users;
  }

  async refreshConversations() {
    const ok = await this.request("conversations");
    const state = this.state;
    const listed = new Set();
    for (const summary of ok.conversations) {
      listed.add(summary.id);
      const conversation = state.merge(summary);
      if (conversation.kind === "chat" && !conversation.ended && !state.chat) {
        state.chat = { conversation: summary.id, with: summary.name };
      }
    }
    for (const conversation of [...state.conversations.values()]) {
      // Rooms left on another device while this one was away.
      if (conversation.kind === "room" && !listed.has(conversation.id)) state.remove(conversation.id);
    }
    if (!state.conversation(state.activeId)) state.activeId = LOBBY;
    state.emit("sidebar");
    state.emit("active-info");
    this.markViewed();
  }

  refreshConversationsSoon() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refreshConversations().catch(() => {}), 200);
  }

  async setAway(away) {
    const status = away ? "away" : "online";
    await this.request("set_status", { status });
    this.state.chosen = status;
    if (this.state.me && this.state.me.status !== "busy") this.state.me.status = status;
    this.state.emit("me");
    this.state.emit("users");
  }

  // ------------------------------------------------------------------ messages

  /** Send to the open conversation; a send cut off by a drop is resent after reconnecting. */
  async send(text) {
    const conversation = this.state.active;
    if (conversation.kind === "chat" && conversation.ended) {
      throw new RequestError("not_in_chat", "this chat has ended.");
    }
    const clientId = newClientId();
    const request =
      conversation.kind === "dm"
        ? ["message_user", { to: conversation.name, text, client_id: clientId }]
        : ["say", { conversation: conversation.id, text, client_id: clientId }];
    const entry = { clientId, conversationId: conversation.id, request, text, partner: null };
    if (conversation.kind === "dm") entry.partner = conversation.name;
    entry.item = this.state.addPending(conversation, clientId, text);
    this.outbox.set(clientId, entry);
    this.typingSent.delete(conversation.id);
    return this.deliver(entry);
  }

  async deliver(entry) {
    const state = this.state;
    let ok;
    try {
      ok = await this.request(...entry.request);
    } catch (error) {
      if (error.code === "offline" || error.code === "timeout") return { queued: true };
      this.outbox.delete(entry.clientId);
      const conversation = this.conversationOf(entry);
      if (conversation) state.dropItem(conversation, entry.item);
      throw error;
    }
    this.outbox.delete(entry.clientId);
    if (entry.partner) state.ensureDm(ok.conversation, entry.partner);
    const conversation = state.conversation(ok.conversation);
    if (conversation && !conversation.bySeq.has(ok.seq)) {
      // The stored message's own event may come later (or went to a dropped connection).
      state.addMessage({
        conversation: ok.conversation,
        seq: ok.seq,
        ts: ok.ts,
        from: state.me.name,
        text: entry.text,
        to: entry.partner,
        client_id: entry.clientId,
      });
    }
    if (conversation) {
      const left = state.pendingFor(conversation, entry.clientId);
      if (left) state.dropItem(conversation, left);
    }
    state.emit("sidebar");
    this.markViewed();
    return ok;
  }

  conversationOf(entry) {
    const state = this.state;
    return (
      state.conversation(entry.conversationId) ??
      [...state.conversations.values()].find((c) => c.items.includes(entry.item)) ??
      null
    );
  }

  async sendTo(name, text) {
    const ok = await this.request("message_user", { to: name, text, client_id: newClientId() });
    this.state.ensureDm(ok.conversation, name);
    this.state.emit("sidebar");
    return ok;
  }

  typing(conversationId) {
    if (conversationId.startsWith("new-") || !this.connection.isOpen) return;
    const now = Date.now();
    if (now - (this.typingSent.get(conversationId) ?? 0) < TYPING_EVERY_MS) return;
    this.typingSent.set(conversationId, now);
    this.request("typing", { conversation: conversationId }).catch(() => {});
  }

  async edit(conversationId, seq, text) {
    await this.request("edit_message", { conversation: conversationId, seq, text });
  }

  async deleteMessage(conversationId, seq) {
    await this.request("delete_message", { conversation: conversationId, seq });
  }

  openDm(name) {
    this.open(this.state.dmWith(name).id);
  }

  open(id) {
    this.state.open(id);
    this.loadLatest(id)
      .then(() => this.markViewed())
      .catch(() => {});
    this.markViewed();
  }

  /** The open conversation is being looked at: move the read marker to its end. */
  markViewed() {
    const state = this.state;
    const conversation = state.active;
    if (!conversation || !state.me || document.visibilityState !== "visible") return;
    if (conversation.id.startsWith("new-") || !conversation.loaded) return;
    const seq = conversation.last_seq;
    if (seq <= conversation.read && conversation.unread === 0) return;
    conversation.read = Math.max(conversation.read, seq);
    conversation.unread = 0;
    conversation.mentions = 0;
    state.emit("sidebar");
    clearTimeout(this.markTimers.get(conversation.id));
    this.markTimers.set(
      conversation.id,
      setTimeout(() => {
        this.request("mark_read", { conversation: conversation.id, seq }).catch(() => {});
      }, MARK_READ_DELAY_MS),
    );
  }

  async calc(expression) {
    const state = this.state;
    try {
      const ok = await this.request("calc", { expression });
      state.addLocal(state.activeId, "calc", { expression: ok.expression, result: ok.result });
    } catch (error) {
      if (error.code !== "calc_error") throw error;
      state.addLocal(state.activeId, "calc-error", { expression, message: error.message });
    }
  }

  async listUsers() {
    const ok = await this.request("users");
    this.state.addLocal(this.state.activeId, "users", { users: ok.users, me: this.state.me?.name });
  }

  // ------------------------------------------------------------------ history and search

  loadLatest(id) {
    return this.history.latest(id);
  }

  loadOlder(id) {
    return this.history.older(id);
  }

  async search(query, offset = 0) {
    return this.request("search", { query, offset, limit: 20 });
  }

  /** Open a conversation at a message (a search result): load back to it, then show it. */
  async jump(conversationId, seq) {
    const state = this.state;
    if (!state.conversation(conversationId)) await this.refreshConversations();
    if (!state.conversation(conversationId)) return;
    state.open(conversationId);
    await this.history.reach(conversationId, seq);
    this.markViewed();
    state.emit("jump", { conversationId, seq });
  }

  // ------------------------------------------------------------------ rooms

  async listRooms() {
    return (await this.request("rooms")).rooms;
  }

  takeRoom(room) {
    const conversation = this.state.merge({ ...room, kind: "room" });
    conversation.owner = room.owner ?? null;
    this.state.emit("sidebar");
    return conversation;
  }

  async createRoom(name, topic, isPrivate) {
    const ok = await this.request("create_room", { name, topic, private: isPrivate });
    const conversation = this.takeRoom(ok.room);
    conversation.loaded = conversation.last_seq === 0;
    conversation.reachedStart = conversation.last_seq === 0;
    this.open(conversation.id);
    return conversation;
  }

  async joinRoom(room) {
    const ok = await this.request("join_room", { room });
    this.open(this.takeRoom(ok.room).id);
  }

  async leaveRoom(room) {
    await this.request("leave_room", { room });
  }

  async setTopic(room, topic) {
    await this.request("set_topic", { room, topic });
  }

  async invite(room, user) {
    await this.request("invite", { room, user });
  }

  async loadMembers(room) {
    const ok = await this.request("members", { room });
    const state = this.state;
    const members = state.roomMembers(room);
    members.clear();
    for (const member of ok.members) state.setMember(room, member.name, member.status, member.role);
    state.membersComplete.add(room);
    state.emit("members", { room });
    return ok.members;
  }

  // ------------------------------------------------------------------ 1:1 chats

  async requestChat(name) {
    const state = this.state;
    state.outgoing = { to: name, state: "waiting" };
    state.emit("outgoing");
    try {
      await this.request("request_chat", { to: name });
    } catch (error) {
      state.outgoing = null;
      state.emit("outgoing");
      throw error;
    }
    clearTimeout(this.outgoingTimer);
    this.outgoingTimer = setTimeout(() => {
      if (state.outgoing?.state === "waiting" && sameName(state.outgoing.to, name)) {
        this.declined(name, "expired");
      }
    }, REQUEST_TTL_MS);
  }

  dismissOutgoing() {
    this.state.outgoing = null;
    this.state.emit("outgoing");
  }

  async answerChat(from, accept) {
    await this.request("answer_chat", { from, accept });
  }

  async endChat() {
    await this.request("end_chat");
  }

  declined(by, reason) {
    clearTimeout(this.outgoingTimer);
    const text = (DECLINED[reason] ?? DECLINED.declined)(by);
    this.state.outgoing = { to: by, state: "declined", text };
    this.state.emit("outgoing");
  }

  chatStarted(conversationId, partner) {
    const state = this.state;
    clearTimeout(this.outgoingTimer);
    state.outgoing = null;
    state.requests = [];
    state.chat = { conversation: conversationId, with: partner };
    const conversation = state.ensure(conversationId, { name: partner, kind: "chat" });
    conversation.name = partner;
    conversation.loaded = true;
    conversation.reachedStart = true;
    state.addLocal(conversationId, "chat-start", { partner });
    state.emit("outgoing");
    state.emit("chat");
    this.open(conversationId);
    state.emit("chat-opened", { conversationId });
  }

  chatOver(conversationId, text) {
    const state = this.state;
    const conversation = state.conversation(conversationId);
    if (state.chat?.conversation === conversationId) state.chat = null;
    if (conversation && !conversation.ended) {
      conversation.ended = text;
      state.addLocal(conversationId, "chat-end", { text });
    }
    state.emit("chat");
    state.emit("sidebar");
    if (conversationId === state.activeId) state.emit("chat-closed", { conversationId });
    else state.emit("toast", { text, kind: "info" });
  }
}
