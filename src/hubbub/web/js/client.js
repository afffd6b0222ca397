// The chat as the page uses it: actions (sign in, send, join a room, search, ask for a
// chat…) turned into protocol requests. Server events are read by events.js.

import { Chats } from "./chats.js";
import { Connection, serverUrl } from "./connection.js";
import { handleEvent } from "./events.js";
import { History } from "./history.js";
import { newClientId, Outbox } from "./outbox.js";
import { ChatState, LOBBY } from "./state.js";

const TYPING_EVERY_MS = 3000;
const MARK_READ_DELAY_MS = 250;

/** "Firefox on Linux": how this browser names its session in the sessions list. */
function deviceLabel() {
  const agent = navigator.userAgent;
  const browser =
    ["Edg", "OPR", "Firefox", "Chrome", "Safari"].find((name) => agent.includes(`${name}/`)) ??
    "A browser";
  const system =
    ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux", "CrOS"].find((name) =>
      agent.includes(name),
    ) ?? "an unknown system";
  const names = { Edg: "Edge", OPR: "Opera", "Mac OS": "macOS", CrOS: "ChromeOS" };
  return `${names[browser] ?? browser} on ${names[system] ?? system}`;
}

export class ChatClient {
  constructor(state) {
    this.state = state;
    this.session = ChatState.loadSession();
    this.chats = new Chats(this);
    this.outbox = new Outbox(this);
    this.typingSent = new Map(); // conversation -> when we last said we were typing
    this.markTimers = new Map();
    this.refreshTimer = null;
    this.placeToCheck = null; // the conversation a reload came back to, until confirmed
    this.connection = new Connection(serverUrl(), {
      onEvent: (frame) => handleEvent(this, frame),
      onOpen: () => this.onOpen(),
      onStatus: (status) => state.emit("connection", { status }),
      signedOut: () => !this.session,
    });
    this.history = new History(this.connection, state);
    state.on("active", ({ rekeyed }) => {
      // A new direct conversation just got its id: fetch anything it already holds.
      if (rekeyed) this.loadLatest(state.current).catch(() => {});
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
    await this.connection.whenOpen();
    this.state.reset();
    const ok = await this.request("sign_in", { name, password, device: deviceLabel() });
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
    state.me = { name: ok.name, status: ok.status, role: ok.role ?? "user" };
    if (ok.status === "online" || ok.status === "away") state.chosen = ok.status;
    for (const [id, head] of Object.entries(ok.heads ?? {})) {
      const conversation = state.ensure(id);
      conversation.last_seq = Math.max(conversation.last_seq, head);
      if (!(id in state.marks)) state.marks[id] = head;
    }
    this.session = { name: ok.name, token: ok.token };
    state.saveSession(ok.name, ok.token);
    if (!resumed) {
      // Back where this page was; `conversations` confirms the place is still mine.
      const place = state.savedPlace(ok.name);
      if (place && !place.startsWith("chat:")) {
        state.ensure(place);
        state.current = place;
        this.placeToCheck = place;
      }
    }
    this.chats.restoreChat(ok.chat ?? null, resumed);
    this.chats.restoreRequests(ok.requests ?? []);
    state.emit("signed-in", { resumed });
    state.emit("me");
    state.emit("sidebar");
    this.refreshUsers().catch(() => {});
    this.refreshConversations()
      .then(() => {
        // A fresh page opens its conversation now that the read markers are known.
        if (!resumed) state.open(state.current);
        return this.loadLatest(state.current);
      })
      .then(() => this.markViewed())
      .catch(() => {});
    this.outbox.resend();
  }

  forget(name, reason) {
    this.session = null;
    this.outbox.clear();
    this.state.forgetSession();
    this.state.reset();
    clearTimeout(this.chats.outgoingTimer);
    this.state.emit("signed-out", { name, reason });
  }

  async signOut(everywhere = false) {
    try {
      await this.request("sign_out", everywhere ? { everywhere } : {});
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
        state.chat = { conversation: summary.id, partner: summary.name };
      }
    }
    const activeBefore = state.current;
    for (const conversation of [...state.conversations.values()]) {
      // Rooms left on another device while this one was away, or a saved place gone.
      const gone = conversation.kind === "room" || conversation.id === this.placeToCheck;
      if (gone && !listed.has(conversation.id)) state.remove(conversation.id);
    }
    this.placeToCheck = null;
    if (state.current !== activeBefore || !state.conversation(state.current)) state.open(LOBBY);
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
  send(text) {
    return this.outbox.send(this.state.active, text);
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
      state.addLocal(state.current, "calc", { expression: ok.expression, result: ok.result });
    } catch (error) {
      if (error.code !== "calc_error") throw error;
      state.addLocal(state.current, "calc-error", { expression, message: error.message });
    }
  }

  async listUsers() {
    const ok = await this.request("users");
    this.state.addLocal(this.state.current, "users", { users: ok.users, me: this.state.me?.name });
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
}
