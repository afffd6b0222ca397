// Scrollback: the latest page when a conversation opens, older pages on scrolling up,
// and any hole between what the page holds filled from the server (seqs have no gaps).

const PAGE = 50;
const GAP_PAGE = 200;

export class History {
  constructor(connection, state) {
    this.connection = connection;
    this.state = state;
  }

  async latest(id) {
    const conversation = this.state.conversation(id);
    if (!conversation || conversation.loaded || conversation.loading) return;
    if (!this.connection.isOpen || !this.state.me) return;
    await this.loadPage(conversation, { limit: PAGE }, false);
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

  async loadPage(conversation, query, older) {
    const state = this.state;
    conversation.loading = true;
    state.emit("history-loading", { conversation, older });
    try {
      const ok = await this.connection.request("history", {
        conversation: conversation.id,
        ...query,
      });
      for (const message of ok.messages) state.addMessage(message);
      if (ok.messages.length < query.limit || conversation.lowestSeq === 1) {
        conversation.reachedStart = true;
      }
      conversation.loaded = true;
      await this.fillGaps(conversation);
    } catch (error) {
      if (error.code === "unknown_conversation") {
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

  /** Seqs have no gaps on the server: any hole between what we hold is fetched. */
  async fillGaps(conversation) {
    for (let round = 0; round < 20; round += 1) {
      const seqs = [...conversation.seqs].sort((a, b) => a - b);
      const hole = seqs.findIndex((seq, i) => i > 0 && seq > seqs[i - 1] + 1);
      if (hole < 0) return;
      const after = seqs[hole - 1];
      const ok = await this.connection.request("history", {
        conversation: conversation.id,
        after,
        limit: GAP_PAGE,
      });
      if (ok.messages.length === 0) return;
      for (const message of ok.messages) this.state.addMessage(message);
    }
  }
}
