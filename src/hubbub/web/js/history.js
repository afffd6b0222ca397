// Scrollback: the latest page when a conversation opens (reaching back to the read
// marker), older pages on scrolling up, pages back to a searched-for message, and any
// hole between what the page holds filled from the server (seqs have no gaps).

const PAGE = 50;
const BIG_PAGE = 200;
const MAX_PAGES_BACK = 25;

export class History {
  constructor(connection, state) {
    this.connection = connection;
    this.state = state;
  }

  /** The latest page; large enough to reach the read marker when there is one. */
  async latest(id) {
    const conversation = this.state.conversation(id);
    if (!conversation || conversation.loaded || conversation.loading) return;
    if (!this.connection.isOpen || !this.state.me) return;
    // Reach back to the "new messages" divider, if there is one.
    const limit =
      conversation.divider === null
        ? PAGE
        : Math.min(BIG_PAGE, Math.max(PAGE, conversation.unread + 10));
    await this.loadPage(conversation, { limit }, false);
  }

  async older(id) {
    const conversation = this.state.conversation(id);
    if (!conversation || !conversation.loaded || conversation.loading) return;
    if (conversation.reachedStart) return;
    const before = conversation.lowestSeq;
    if (before === null || before <= 1) {
      conversation.reachedStart = true;
      this.state.emit("history", { conversation, older: true });
      return;
    }
    await this.loadPage(conversation, { before, limit: PAGE }, true);
  }

  /** Load pages back until `seq` (and a few before it) are here: a search result's place. */
  async reach(id, seq) {
    const conversation = this.state.conversation(id);
    if (!conversation) return;
    if (!conversation.loaded) {
      conversation.loading = false;
      await this.loadPage(conversation, { limit: PAGE }, false);
    }
    for (let page = 0; page < MAX_PAGES_BACK; page += 1) {
      const low = conversation.lowestSeq;
      if (conversation.reachedStart || low === null || low <= Math.max(1, seq - 5)) return;
      await this.loadPage(conversation, { before: low, limit: BIG_PAGE }, true);
    }
  }

  async loadPage(conversation, query, older) {
    const state = this.state;
    conversation.loading = true;
    state.emit("history-loading", { conversation, older });
    try {
      const ok = await this.connection.request("history", {
        conversation: conversation.id,
        ...query,
      });
      this.take(conversation, ok.messages);
      if (ok.messages.length < query.limit || conversation.lowestSeq === 1) {
        conversation.reachedStart = true;
      }
      conversation.loaded = true;
      await this.fillGaps(conversation);
    } catch (error) {
      if (error.code === "unknown_conversation" || error.code === "not_a_member") {
        conversation.loaded = true;
        conversation.reachedStart = true;
      } else {
        throw error;
      }
    } finally {
      conversation.loading = false;
      state.emit("history", { conversation, older });
    }
  }

  /** Messages as they are now, then change records; both in seq order. */
  take(conversation, entries) {
    let changedUpTo = conversation.last_seq;
    for (const entry of entries) changedUpTo = Math.max(changedUpTo, entry.seq);
    for (const entry of entries) {
      if (entry.type === "message_edited" || entry.type === "message_deleted") {
        this.state.applyChange(entry);
      } else {
        this.state.addMessage({ ...entry, conversation: conversation.id }, { changedUpTo });
      }
    }
  }

  /** A resume replayed this conversation only up to `after` (a `resume_gap`): page in
   * the entries up to `head`, when the conversation is on show (one that is not loads
   * its latest page when opened, as always). */
  async fillRange(id, after, head) {
    const conversation = this.state.conversation(id);
    if (!conversation || !conversation.loaded) return;
    while (after < head && this.connection.isOpen) {
      const ok = await this.connection.request("history", {
        conversation: id,
        after,
        limit: BIG_PAGE,
      });
      if (ok.messages.length === 0) break;
      this.take(conversation, ok.messages.filter((entry) => entry.seq <= head));
      after = ok.messages[ok.messages.length - 1].seq;
    }
    this.state.emit("history", { conversation, older: false });
  }

  /** Seqs have no gaps on the server: any hole between what we hold is fetched. */
  async fillGaps(conversation) {
    for (let round = 0; round < 20; round += 1) {
      const seqs = [...conversation.seqs].sort((a, b) => a - b);
      const hole = seqs.findIndex((seq, i) => i > 0 && seq > seqs[i - 1] + 1);
      if (hole < 0) return;
      const ok = await this.connection.request("history", {
        conversation: conversation.id,
        after: seqs[hole - 1],
        limit: BIG_PAGE,
      });
      if (ok.messages.length === 0) return;
      this.take(conversation, ok.messages);
    }
  }
}
