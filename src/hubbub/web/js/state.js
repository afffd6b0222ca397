// What the page knows: who I am, who is online, the conversations and their messages.
// Views subscribe to changes; client.js is the only writer. The session token and the
// list of conversations are kept in localStorage so a reload resumes where it was.

export const LOBBY = "lobby";
const SESSION_KEY = "hubbub.session";
const BOOK_PREFIX = "hubbub.book.";

/** Names are unique ignoring case; good enough to match the server's NFKC + casefold. */
export function nameKey(name) {
  return String(name).normalize("NFKC").toLowerCase();
}

export function sameName(a, b) {
  return a != null && b != null && nameKey(a) === nameKey(b);
}

function kindOf(id) {
  if (id === LOBBY) return "lobby";
  if (id.startsWith("dm:") || id.startsWith("new-dm:")) return "dm";
  if (id.startsWith("chat:")) return "chat";
  return "other";
}

/** Order within a conversation: stored messages by seq; local lines after the seq they followed. */
function compareItems(a, b) {
  return a.at - b.at || a.rank - b.rank || a.order - b.order;
}

let localOrder = 0;

class Conversation {
  constructor(id, partner = null) {
    this.id = id;
    this.kind = kindOf(id);
    this.partner = partner;
    this.items = [];
    this.seqs = new Set();
    this.unread = 0;
    this.lastActivity = 0;
    this.loaded = false;
    this.loading = false;
    this.reachedStart = false;
    this.ended = null;
  }

  get title() {
    if (this.kind === "lobby") return "Lobby";
    if (this.kind === "chat") return `Chat with ${this.partner}`;
    return this.partner ?? this.id;
  }

  get lowestSeq() {
    for (const item of this.items) if (item.type === "message") return item.seq;
    return null;
  }

  get highestSeq() {
    let high = 0;
    for (const seq of this.seqs) if (seq > high) high = seq;
    return high;
  }

  /** Insert keeping order; returns the index, or -1 for a message already here. */
  insert(item) {
    if (item.type === "message") {
      if (this.seqs.has(item.seq)) return -1;
      this.seqs.add(item.seq);
    }
    const items = this.items;
    let index = items.length;
    while (index > 0 && compareItems(items[index - 1], item) > 0) index -= 1;
    items.splice(index, 0, item);
    return index;
  }
}

export class ChatState {
  constructor() {
    this.listeners = new Map();
    this.reset();
  }

  reset() {
    this.me = null; // { name, status }
    this.chosen = "online";
    this.users = new Map(); // nameKey -> { name, status }
    this.usersKnown = false;
    this.conversations = new Map();
    this.conversations.set(LOBBY, new Conversation(LOBBY));
    this.activeId = LOBBY;
    this.marks = {}; // conversation -> highest seq seen
    this.chat = null; // { conversation, partner } while a 1:1 chat lasts
    this.aloneText = null; // the server's "alone" notice, shown while it is true
    this.outgoing = null; // { to, state: "waiting" | "declined", text }
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
    return this.conversations.get(this.activeId) ?? this.conversations.get(LOBBY);
  }

  /** The DM conversation with `partner`, creating it (or re-keying a placeholder) as needed. */
  ensureDm(id, partner) {
    let conversation = this.conversations.get(id);
    if (conversation) {
      if (!conversation.partner) conversation.partner = partner;
      return conversation;
    }
    const placeholder = this.conversations.get(`new-dm:${nameKey(partner)}`);
    if (placeholder) {
      this.conversations.delete(placeholder.id);
      placeholder.id = id;
      placeholder.loaded = false;
      placeholder.reachedStart = false;
      this.conversations.set(id, placeholder);
      if (this.activeId === `new-dm:${nameKey(partner)}`) {
        this.activeId = id;
        this.emit("active", { rekeyed: true });
      }
      return placeholder;
    }
    conversation = new Conversation(id, partner);
    this.conversations.set(id, conversation);
    return conversation;
  }

  /** Find or make the conversation a stored message belongs to. */
  conversationFor(message) {
    const id = message.conversation;
    if (id === LOBBY) return this.conversations.get(LOBBY);
    if (id.startsWith("dm:")) {
      const partner = sameName(message.from, this.me?.name) ? message.to : message.from;
      return this.ensureDm(id, partner ?? message.from);
    }
    let conversation = this.conversations.get(id);
    if (!conversation) {
      const partner = sameName(message.from, this.me?.name) ? null : message.from;
      conversation = new Conversation(id, partner ?? this.chat?.partner ?? "?");
      this.conversations.set(id, conversation);
    }
    return conversation;
  }

  /** A DM conversation to show for `partner` before the server has named it. */
  dmWith(partner) {
    for (const conversation of this.conversations.values()) {
      if (conversation.kind === "dm" && sameName(conversation.partner, partner)) {
        return conversation;
      }
    }
    const conversation = new Conversation(`new-dm:${nameKey(partner)}`, partner);
    conversation.loaded = true;
    conversation.reachedStart = true;
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** Add a stored message (live, replayed or from history); false if it was already here. */
  addMessage(message, { live = false } = {}) {
    const conversation = this.conversationFor(message);
    const item = {
      type: "message",
      at: message.seq,
      rank: 0,
      order: 0,
      seq: message.seq,
      ts: message.ts,
      from: message.from,
      text: message.text,
      to: message.to ?? null,
      own: sameName(message.from, this.me?.name),
    };
    const index = conversation.insert(item);
    if (index < 0) return false;
    if (message.seq > (this.marks[conversation.id] ?? 0)) this.marks[conversation.id] = message.seq;
    conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    const fresh = live && !item.own && conversation.id !== this.activeId;
    if (fresh) conversation.unread += 1;
    this.emit("item", { conversation, item, index, live });
    if (live) this.emit("sidebar");
    return true;
  }

  /** A line only this page shows: joins, leaves, calculator answers, chat notes. */
  addLocal(conversationId, kind, parts) {
    const conversation = this.conversations.get(conversationId) ?? this.conversations.get(LOBBY);
    const item = {
      type: "local",
      kind,
      parts,
      at: Math.max(conversation.highestSeq, this.marks[conversation.id] ?? 0),
      rank: 1,
      order: ++localOrder,
      ts: Date.now() / 1000,
    };
    const index = conversation.insert(item);
    this.emit("item", { conversation, item, index, live: true });
    return item;
  }

  open(id) {
    const conversation = this.conversations.get(id);
    if (!conversation) return;
    this.activeId = id;
    conversation.unread = 0;
    this.emit("active");
    this.emit("sidebar");
    this.save();
  }

  // ------------------------------------------------------------------ people

  setUsers(list) {
    this.users = new Map(list.map((u) => [nameKey(u.name), { name: u.name, status: u.status }]));
    this.usersKnown = true;
    const mine = this.me && this.users.get(nameKey(this.me.name));
    if (mine) this.me.status = mine.status;
    this.emit("users");
    this.emit("me");
  }

  upsertUser(name, status) {
    this.users.set(nameKey(name), { name, status });
    if (this.me && sameName(name, this.me.name)) {
      this.me.status = status;
      this.emit("me");
    }
    this.emit("users");
  }

  removeUser(name) {
    this.users.delete(nameKey(name));
    this.emit("users");
  }

  user(name) {
    return this.users.get(nameKey(name)) ?? null;
  }

  get alone() {
    if (!this.me || !this.usersKnown) return false;
    for (const key of this.users.keys()) if (key !== nameKey(this.me.name)) return false;
    return true;
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
    if (session) localStorage.removeItem(BOOK_PREFIX + nameKey(session.name));
  }

  /** Remember the lobby and DM conversations (not 1:1 chats, which end with the page). */
  save() {
    if (!this.me) return;
    const conversations = [];
    for (const c of this.conversations.values()) {
      if (c.kind === "dm" && c.id.startsWith("dm:")) {
        conversations.push({
          id: c.id,
          partner: c.partner,
          unread: c.unread,
          last: c.lastActivity,
        });
      }
    }
    const marks = {};
    for (const [id, seq] of Object.entries(this.marks)) {
      if (!id.startsWith("chat:")) marks[id] = seq;
    }
    const active = this.activeId.startsWith("dm:") ? this.activeId : LOBBY;
    const lobbyUnread = this.conversations.get(LOBBY).unread;
    const book = { conversations, marks, active, lobbyUnread };
    try {
      localStorage.setItem(BOOK_PREFIX + nameKey(this.me.name), JSON.stringify(book));
    } catch {
      // storage full or disabled: the session still works, only a reload forgets more
    }
  }

  /** Restore what save() kept for `name`; returns the marks to resume from. */
  restore(name) {
    let book;
    try {
      book = JSON.parse(localStorage.getItem(BOOK_PREFIX + nameKey(name)) ?? "null");
    } catch {
      book = null;
    }
    if (!book) return {};
    for (const saved of book.conversations ?? []) {
      if (typeof saved.id !== "string" || !saved.id.startsWith("dm:")) continue;
      const conversation = this.ensureDm(saved.id, saved.partner);
      conversation.unread = saved.unread | 0;
      conversation.lastActivity = Number(saved.last) || 0;
    }
    this.conversations.get(LOBBY).unread = book.lobbyUnread | 0;
    if (book.active && this.conversations.has(book.active)) this.activeId = book.active;
    const marks = {};
    for (const [id, seq] of Object.entries(book.marks ?? {})) {
      if (Number.isSafeInteger(seq) && seq >= 0) marks[id] = seq;
    }
    this.marks = { ...marks };
    return marks;
  }
}
