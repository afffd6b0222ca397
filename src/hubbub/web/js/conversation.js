// One conversation as the page holds it: the server's summary of it (kind, name, topic,
// last_seq, read, unread, mentions) and the items shown for it, kept in seq order.

import { LOBBY } from "./names.js";

export function kindOf(id) {
  if (id === LOBBY || id.startsWith("room:")) return "room";
  if (id.startsWith("dm:") || id.startsWith("new-dm:")) return "dm";
  if (id.startsWith("chat:")) return "chat";
  return "room";
}

/** Order within a conversation: by position (seq), then stored before local, then arrival. */
function compareItems(a, b) {
  return a.at - b.at || a.rank - b.rank || a.order - b.order;
}

let arrival = 0;

export class Conversation {
  constructor(id, { name = null, kind = kindOf(id) } = {}) {
    this.id = id;
    this.kind = kind; // "room" | "dm" | "chat"
    this.name = name; // the room's name, or the other person's
    this.topic = null;
    this.private = null;
    this.archived = null;
    this.owner = null;
    this.last_seq = 0;
    this.read = 0;
    this.unread = 0;
    this.mentions = 0;
    // What this page holds of it:
    this.items = []; // messages, pending sends and local lines, in order
    this.seqs = new Set(); // every seq seen: messages and change records
    this.bySeq = new Map(); // seq -> message item
    this.lastActivity = 0;
    this.loaded = false; // the latest page is here
    this.loading = false;
    this.reachedStart = false;
    this.ended = null; // for a 1:1 chat that is over: the sentence saying so
    this.divider = null; // the read marker when the conversation was opened
  }

  get title() {
    if (this.kind === "chat") return `Chat with ${this.name ?? "?"}`;
    return this.name ?? (this.id === LOBBY ? "Lobby" : "…");
  }

  get isLobby() {
    return this.id === LOBBY;
  }

  get lowestSeq() {
    let low = null;
    for (const seq of this.seqs) if (low === null || seq < low) low = seq;
    return low;
  }

  get highestSeq() {
    let high = 0;
    for (const seq of this.seqs) if (seq > high) high = seq;
    return high;
  }

  /** Insert keeping order; returns the index, or -1 for a message already here. */
  insert(item) {
    if (item.type === "message") {
      if (this.bySeq.has(item.seq)) return -1;
      this.bySeq.set(item.seq, item);
    }
    item.order ??= ++arrival;
    const items = this.items;
    let index = items.length;
    while (index > 0 && compareItems(items[index - 1], item) > 0) index -= 1;
    items.splice(index, 0, item);
    return index;
  }

  remove(item) {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
    return index;
  }
}
