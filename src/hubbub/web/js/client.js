// The chat as the page uses it: actions (sign in, send, calculate, ask for a chat…) turned
// into protocol requests, and server events turned into changes of the ChatState.

import { Connection, RequestError, serverUrl } from "./connection.js";
import { History } from "./history.js";
import { ChatState, LOBBY, sameName } from "./state.js";

const REQUEST_TTL_MS = 65000;

const DECLINED = {
  declined: (by) => `${by} declined your chat request.`,
  expired: (by) => `${by} did not answer your chat request in time.`,
  left: (by) => `${by} went offline before answering.`,
  busy: (by) => `${by} is now in another chat.`,
};

const ENDED = {
  ended: (by) => `${by} ended the chat.`,
  closed: (by) => `${by} left the chat (closed the window or signed out).`,
  disconnected: (by) => `${by} lost their connection; the chat is over.`,
};

const CANCELLED = {
  expired: (from) => `The chat request from ${from} expired.`,
  left: (from) => `${from} went offline; their chat request is withdrawn.`,
  busy: (from) => `${from} is now in another chat; their request is withdrawn.`,
};

export class ChatClient {
  constructor(state) {
    this.state = state;
    this.session = ChatState.loadSession();
    this.outgoingTimer = null;
    this.saveTimer = null;
    this.connection = new Connection(serverUrl(), {
      onEvent: (frame) => this.handleEvent(frame),
      onOpen: () => this.onOpen(),
      onStatus: (status) => state.emit("connection", { status }),
    });
    this.history = new History(this.connection, state);
    if (this.session) state.restore(this.session.name);
    state.on("active", ({ rekeyed }) => {
      // A new direct conversation just got its id: fetch anything it already holds.
      if (rekeyed) this.loadLatest(state.activeId).catch(() => {});
    });
    addEventListener("pagehide", () => {
      this.state.save();
      // A close frame ends the session now: the partner of a 1:1 chat is told at once.
      this.connection.stop("page closed");
    });
    addEventListener("pageshow", (event) => {
      if (event.persisted) this.connection.start();
    });
    addEventListener("online", () => this.connection.retryNow());
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
        this.session = null;
        this.state.forgetSession();
        this.state.reset();
        this.state.emit("signed-out", {
          name,
          reason: "Your session has ended. Please sign in again.",
        });
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
    const state = this.state;
    state.reset();
    state.restore(name);
    const ok = await this.request("sign_in", { name, password, since: this.sinceMarks() });
    this.afterSignIn(ok);
  }

  sinceMarks() {
    const since = {};
    for (const [id, seq] of Object.entries(this.state.marks)) {
      if (Number.isSafeInteger(seq) && seq >= 0) since[id] = seq;
    }
    return since;
  }

  /** Runs synchronously on the `ok`, before the replayed messages are read. */
  afterSignIn(ok) {
    const state = this.state;
    const resumed = state.me !== null;
    state.me = { name: ok.name, status: ok.status };
    if (ok.status === "online" || ok.status === "away") state.chosen = ok.status;
    for (const [id, head] of Object.entries(ok.heads ?? {})) {
      if (!(id in state.marks)) state.marks[id] = head;
    }
    this.session = { name: ok.name, token: ok.token };
    state.saveSession(ok.name, ok.token);
    state.emit("signed-in", { resumed });
    state.emit("me");
    state.emit("sidebar");
    this.refreshUsers().catch(() => {});
    this.loadLatest(state.activeId).catch(() => {});
  }

  async signOut() {
    try {
      await this.request("sign_out");
    } catch {
      // offline: the token is forgotten here all the same
    }
    const name = this.state.me?.name ?? this.session?.name ?? "";
    this.session = null;
    this.state.forgetSession();
    this.state.reset();
    clearTimeout(this.outgoingTimer);
    this.state.emit("signed-out", { name, reason: "" });
  }

  // ------------------------------------------------------------------ people and status

  async refreshUsers() {
    const ok = await this.request("users");
    const state = this.state;
    state.setUsers(ok.users);
    if (state.chat && state.me && state.me.status !== "busy") {
      // The server restarted or the grace period ran out while we were away.
      this.chatOver(state.chat.conversation, "The chat ended while you were disconnected.");
    }
    return ok.users;
  }

  async setAway(away) {
    const status = away ? "away" : "online";
    await this.request("set_status", { status });
    this.state.chosen = status;
    this.state.emit("me");
  }

  // ------------------------------------------------------------------ messages

  async send(text) {
    const conversation = this.state.active;
    if (conversation.kind === "lobby") return this.request("say", { text });
    if (conversation.kind === "chat") {
      if (conversation.ended) throw new RequestError("not_in_chat", "this chat has ended.");
      return this.request("say", { text, conversation: conversation.id });
    }
    if (conversation.kind === "dm") {
      const ok = await this.request("message_user", { to: conversation.partner, text });
      this.state.ensureDm(ok.conversation, conversation.partner);
      this.state.emit("sidebar");
      return ok;
    }
    throw new RequestError("unknown_conversation", "pick a conversation first.");
  }

  async sendTo(name, text) {
    const ok = await this.request("message_user", { to: name, text });
    this.state.ensureDm(ok.conversation, name);
    this.state.emit("sidebar");
    return ok;
  }

  openDm(name) {
    const conversation = this.state.dmWith(name);
    this.open(conversation.id);
  }

  open(id) {
    this.state.open(id);
    this.loadLatest(id).catch(() => {});
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
    const users = await this.refreshUsers();
    this.state.addLocal(this.state.activeId, "users", { users, me: this.state.me?.name });
  }

  // ------------------------------------------------------------------ history

  loadLatest(id) {
    return this.history.latest(id);
  }

  loadOlder(id) {
    return this.history.older(id);
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
    state.chat = { conversation: conversationId, partner };
    const conversation = state.conversationFor({ conversation: conversationId, from: partner });
    conversation.partner = partner;
    conversation.loaded = true;
    conversation.reachedStart = true;
    state.addLocal(conversationId, "chat-start", { partner });
    state.emit("outgoing");
    state.emit("chat");
    this.open(conversationId);
  }

  chatOver(conversationId, text) {
    const state = this.state;
    const conversation = state.conversation(conversationId);
    if (state.chat?.conversation === conversationId) state.chat = null;
    if (conversation && !conversation.ended) {
      conversation.ended = text;
      state.addLocal(conversationId, "chat-end", { text });
      if (conversationId !== state.activeId) conversation.unread += 1;
    }
    state.emit("chat");
    state.emit("sidebar");
    if (conversationId !== state.activeId) state.emit("toast", { text, kind: "info" });
  }

  // ------------------------------------------------------------------ events

  handleEvent(frame) {
    const state = this.state;
    if (!state.me) return;
    switch (frame.type) {
      case "message":
        state.addMessage(frame, { live: true });
        this.saveSoon();
        break;
      case "user_joined":
        if (sameName(frame.name, state.me.name)) break;
        state.upsertUser(frame.name, frame.status);
        state.addLocal(LOBBY, "join", { name: frame.name });
        break;
      case "user_left":
        state.removeUser(frame.name);
        state.addLocal(LOBBY, "leave", { name: frame.name });
        break;
      case "presence":
        state.upsertUser(frame.name, frame.status);
        break;
      case "notice":
        // "alone" is the only notice; the page shows it for as long as it is true.
        if (typeof frame.text === "string") state.aloneText = frame.text;
        state.emit("users");
        break;
      case "chat_request":
        state.emit("chat-request", { from: frame.from, expiresIn: Number(frame.expires_in) || 60 });
        break;
      case "chat_cancelled":
        state.emit("chat-cancelled", {
          from: frame.from,
          text: (CANCELLED[frame.reason] ?? CANCELLED.expired)(frame.from),
        });
        break;
      case "chat_started":
        this.chatStarted(frame.conversation, frame.with);
        break;
      case "chat_declined":
        this.declined(frame.by, frame.reason);
        break;
      case "chat_ended": {
        const mine = sameName(frame.by, state.me.name);
        const text = mine ? "You ended the chat." : (ENDED[frame.reason] ?? ENDED.ended)(frame.by);
        this.chatOver(frame.conversation, text);
        break;
      }
      default:
        break;
    }
  }

  saveSoon() {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.state.save();
    }, 400);
  }
}
