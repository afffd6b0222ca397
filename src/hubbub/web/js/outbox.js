// Sends on their way. Each carries a client_id; one that got no answer before the
// connection dropped is sent again, with the same client_id, after the next sign-in,
// so the server stores it once whatever happened to the first try.

import { RequestError } from "./connection.js";

export function newClientId() {
  const random = crypto.getRandomValues(new Uint32Array(3));
  return `web-${Date.now().toString(36)}-${[...random].map((n) => n.toString(36)).join("")}`;
}

export class Outbox {
  constructor(client) {
    this.client = client;
    this.entries = new Map(); // client_id -> an unanswered send
  }

  clear() {
    this.entries.clear();
  }

  /** After a (re)sign-in: send again everything that got no answer. */
  resend() {
    for (const entry of this.entries.values()) this.deliver(entry).catch(() => {});
  }

  /** Send `text` to `conversation`, shown as pending until it is stored. */
  async send(conversation, text) {
    const state = this.client.state;
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
    entry.item = state.addPending(conversation, clientId, text);
    this.entries.set(clientId, entry);
    this.client.typingSent.delete(conversation.id);
    return this.deliver(entry);
  }

  async deliver(entry) {
    const state = this.client.state;
    let ok;
    try {
      ok = await this.client.request(...entry.request);
    } catch (error) {
      if (error.code === "offline" || error.code === "timeout") return { queued: true };
      this.entries.delete(entry.clientId);
      const conversation = this.conversationOf(entry);
      if (conversation) state.dropItem(conversation, entry.item);
      throw error;
    }
    this.entries.delete(entry.clientId);
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
    this.client.markViewed();
    return ok;
  }

  conversationOf(entry) {
    const state = this.client.state;
    return (
      state.conversation(entry.conversationId) ??
      [...state.conversations.values()].find((c) => c.items.includes(entry.item)) ??
      null
    );
  }
}
