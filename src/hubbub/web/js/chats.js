// The messenger's 1:1 chats: asking, answering, ending, and picking up a chat or a
// request that is already going on when this page signs in (SignedIn.chat/requests).

import { sameName } from "./names.js";

const REQUEST_TTL_MS = 65000;

const DECLINED = {
  declined: (by) => `${by} declined your chat request.`,
  expired: (by) => `${by} did not answer your chat request in time.`,
  left: (by) => `${by} went offline before answering.`,
  busy: (by) => `${by} is now in another chat.`,
};

export class Chats {
  constructor(client) {
    this.client = client;
    this.outgoingTimer = null;
  }

  restoreChat(chat, resumed) {
    const state = this.client.state;
    if (chat) {
      if (state.chat?.conversation === chat.conversation) return;
      state.chat = { conversation: chat.conversation, partner: chat.with };
      const conversation = state.ensure(chat.conversation, { name: chat.with, kind: "chat" });
      conversation.ended = null;
      state.emit("chat");
      if (!resumed) state.current = chat.conversation; // a new device opens into the chat
    } else if (state.chat) {
      this.chatOver(state.chat.conversation, "The chat ended while you were disconnected.");
    }
  }

  restoreRequests(requests) {
    const state = this.client.state;
    const now = Date.now();
    state.requests = requests.map((r) => ({
      from: r.from,
      to: r.to,
      expiresAt: now + Number(r.expires_in ?? 60) * 1000,
    }));
    const mine = state.requestsFromMe[0];
    if (mine) {
      state.outgoing = { to: mine.to, state: "waiting" };
    } else if (state.outgoing?.state === "waiting") {
      state.outgoing = null;
    }
    state.emit("outgoing");
    for (const request of state.requestsToMe) {
      state.emit("chat-request", {
        from: request.from,
        expiresIn: (request.expiresAt - now) / 1000,
      });
    }
  }

  async requestChat(name) {
    const state = this.client.state;
    state.outgoing = { to: name, state: "waiting" };
    state.emit("outgoing");
    try {
      await this.client.request("request_chat", { to: name });
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
    this.client.state.outgoing = null;
    this.client.state.emit("outgoing");
  }

  async answerChat(from, accept) {
    await this.client.request("answer_chat", { from, accept });
  }

  async endChat() {
    await this.client.request("end_chat");
  }

  declined(by, reason) {
    clearTimeout(this.outgoingTimer);
    const text = (DECLINED[reason] ?? DECLINED.declined)(by);
    this.client.state.outgoing = { to: by, state: "declined", text };
    this.client.state.emit("outgoing");
  }

  chatStarted(conversationId, partner) {
    const state = this.client.state;
    clearTimeout(this.outgoingTimer);
    state.outgoing = null;
    state.requests = [];
    state.chat = { conversation: conversationId, partner };
    const conversation = state.ensure(conversationId, { name: partner, kind: "chat" });
    conversation.name = partner;
    conversation.loaded = true;
    conversation.reachedStart = true;
    state.addLocal(conversationId, "chat-start", { partner });
    state.emit("outgoing");
    state.emit("chat");
    this.client.open(conversationId);
    state.emit("chat-opened", { conversationId });
  }

  chatOver(conversationId, text) {
    const state = this.client.state;
    const conversation = state.conversation(conversationId);
    if (state.chat?.conversation === conversationId) state.chat = null;
    if (conversation && !conversation.ended) {
      conversation.ended = text;
      state.addLocal(conversationId, "chat-end", { text });
    }
    state.emit("chat");
    state.emit("sidebar");
    if (conversationId === state.current) state.emit("chat-closed", { conversationId });
    else state.emit("toast", { text, kind: "info" });
  }
}
