// The main pane: the open conversation's header, its messages, and scrollback.

import { avatar, byId, formatTime, fullTime, h, sentence } from "./dom.js";
import { LOBBY } from "./state.js";

const NEAR_BOTTOM_PX = 80;
const GROUP_SECONDS = 300;
const LOAD_OLDER_PX = 120;

export function mountMessages(client, state, ui) {
  const scroller = byId("message-scroller");
  const list = byId("message-list");
  const historyStatus = byId("history-status");
  const title = byId("conversation-title");
  const subtitle = byId("conversation-subtitle");
  const endChat = byId("end-chat");
  const aloneNotice = byId("alone-notice");
  const chatStatus = byId("chat-status");
  const chatStatusText = byId("chat-status-text");
  let anchor = null; // { element, offset } kept in place while older messages load

  // ---------------------------------------------------------------- items

  function messageElement(item) {
    const time = h(
      "time",
      {
        class: "msg-time",
        "data-testid": "message-time",
        datetime: new Date(item.ts * 1000).toISOString(),
        title: fullTime(item.ts),
      },
      formatTime(item.ts),
    );
    return h(
      "li",
      {
        class: item.own ? "msg msg-own" : "msg",
        "data-testid": "message",
        "data-seq": item.seq,
        "data-from": item.from,
      },
      avatar(item.from),
      h(
        "div",
        { class: "msg-body" },
        h(
          "div",
          { class: "msg-meta" },
          h("span", { class: "msg-sender", "data-testid": "message-sender" }, item.from),
          time,
        ),
        h("div", { class: "msg-text", "data-testid": "message-text" }, item.text),
      ),
    );
  }

  function line(kind, testid, ...content) {
    return h("li", { class: `line line-${kind}`, "data-testid": testid }, ...content);
  }

  function localElement(item) {
    const d = item.parts;
    switch (item.kind) {
      case "join":
        return line("system", "system-line", h("strong", {}, d.name), " joined");
      case "leave":
        return line("system", "system-line", h("strong", {}, d.name), " left");
      case "notice":
        return line("notice", "notice-line", d.text);
      case "calc":
        return line(
          "calc",
          "calc-line",
          h("span", { class: "line-tag" }, "Calculator"),
          h("code", { class: "calc-expression" }, d.expression),
          " = ",
          h("strong", { class: "calc-result", "data-testid": "calc-result" }, d.result),
          h("span", { class: "line-hint" }, "Only you can see this"),
        );
      case "calc-error":
        return line(
          "calc line-error",
          "calc-error",
          h("span", { class: "line-tag" }, "Calculator"),
          h("code", { class: "calc-expression" }, d.expression),
          " — ",
          h("span", { "data-testid": "calc-error-message" }, sentence(d.message)),
          h("span", { class: "line-hint" }, "Only you can see this"),
        );
      case "users": {
        const names = d.users.map((u) => {
          const you = u.name === d.me ? " (you)" : "";
          return `${u.name}${you} — ${u.status}`;
        });
        return line(
          "calc",
          "users-line",
          h("span", { class: "line-tag" }, `Online now (${d.users.length})`),
          names.join(", "),
        );
      }
      case "chat-start":
        return line(
          "chat",
          "chat-started-line",
          "You are now chatting with ",
          h("strong", {}, d.partner),
          ". Only the two of you can see this conversation.",
        );
      case "chat-end":
        return line("chat line-ended", "chat-ended-line", d.text);
      default:
        return line("system", "system-line", String(d.text ?? ""));
    }
  }

  function elementFor(item) {
    return item.type === "message" ? messageElement(item) : localElement(item);
  }

  /** A message right after one from the same person, within minutes, drops its header. */
  function continues(previous, item) {
    return (
      previous?.type === "message" &&
      item?.type === "message" &&
      previous.from === item.from &&
      item.ts - previous.ts < GROUP_SECONDS
    );
  }

  function regroup(items, index) {
    for (const i of [index, index + 1]) {
      const element = list.children[i];
      if (element && items[i]?.type === "message") {
        element.classList.toggle("msg-continued", continues(items[i - 1], items[i]));
      }
    }
  }

  // ---------------------------------------------------------------- scrolling

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function toBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function keepAnchor() {
    const first = list.querySelector("[data-testid=message]") ?? list.firstElementChild;
    anchor = first ? { element: first, offset: first.offsetTop - scroller.scrollTop } : null;
  }

  function restoreAnchor() {
    if (anchor && anchor.element.isConnected) {
      scroller.scrollTop = anchor.element.offsetTop - anchor.offset;
    }
    anchor = null;
  }

  function maybeLoadOlder() {
    const conversation = state.active;
    if (!conversation.loaded || conversation.loading || conversation.reachedStart) return;
    if (scroller.scrollTop < LOAD_OLDER_PX || scroller.scrollHeight <= scroller.clientHeight) {
      client.loadOlder(conversation.id).catch(() => {});
    }
  }

  scroller.addEventListener("scroll", maybeLoadOlder, { passive: true });

  // ---------------------------------------------------------------- rendering

  function renderHistoryStatus() {
    const conversation = state.active;
    if (conversation.loading) historyStatus.textContent = "Loading messages…";
    else if (conversation.reachedStart) {
      historyStatus.textContent =
        conversation.id === LOBBY
          ? "This is the start of the Lobby. Say hello!"
          : "This is the start of the conversation.";
    } else historyStatus.textContent = "";
  }

  function renderHeader() {
    const conversation = state.active;
    title.textContent = conversation.kind === "lobby" ? "# Lobby" : conversation.title;
    let text = "";
    if (conversation.kind === "lobby") text = "Everyone who is signed in sees these messages.";
    else if (conversation.kind === "dm") {
      const partner = state.user(conversation.partner);
      const status = partner ? partner.status : "offline — delivered when they sign in";
      text = `Private messages with ${conversation.partner} · ${status}`;
    } else if (conversation.kind === "chat") {
      text = conversation.ended ?? "1:1 chat · only the two of you see it";
    }
    subtitle.textContent = text;
    endChat.hidden = !(state.chat && state.chat.conversation === conversation.id);
  }

  function renderAll() {
    const conversation = state.active;
    const items = conversation.items;
    list.replaceChildren(
      ...items.map((item, i) => {
        const element = elementFor(item);
        if (continues(items[i - 1], item)) element.classList.add("msg-continued");
        return element;
      }),
    );
    renderHeader();
    renderHistoryStatus();
    toBottom();
    maybeLoadOlder();
  }

  function renderStrips() {
    aloneNotice.hidden = !state.alone;
    if (state.aloneText) aloneNotice.textContent = state.aloneText;
    const outgoing = state.outgoing;
    chatStatus.hidden = !outgoing;
    if (!outgoing) return;
    chatStatus.classList.toggle("strip-waiting", outgoing.state === "waiting");
    chatStatus.classList.toggle("strip-warning", outgoing.state !== "waiting");
    chatStatusText.textContent =
      outgoing.state === "waiting"
        ? `Waiting for ${outgoing.to} to answer your chat request…`
        : outgoing.text;
  }

  state.on("item", ({ conversation, item, index }) => {
    if (conversation.id !== state.activeId) return;
    const atEnd = index === conversation.items.length - 1;
    const follow = atEnd && (nearBottom() || item.own || item.type === "local");
    list.insertBefore(elementFor(item), list.children[index] ?? null);
    regroup(conversation.items, index);
    if (follow && !anchor) toBottom();
    if (item.type === "local" && item.kind === "chat-end") renderHeader();
  });

  state.on("history-loading", ({ conversation, older }) => {
    if (conversation.id !== state.activeId) return;
    if (older) keepAnchor();
    renderHistoryStatus();
  });

  state.on("history", ({ conversation, older }) => {
    if (conversation.id !== state.activeId) return;
    renderHistoryStatus();
    if (older) restoreAnchor();
    else toBottom();
    requestAnimationFrame(maybeLoadOlder);
  });

  state.on("active", renderAll);
  state.on("signed-in", ({ resumed }) => {
    // A resumed session keeps what is on screen (and where it was scrolled to).
    if (resumed) {
      renderHeader();
      renderStrips();
    } else renderAll();
  });
  state.on("chat", () => {
    renderHeader();
    renderStrips();
  });
  state.on("users", () => {
    renderStrips();
    if (state.active.kind === "dm") renderHeader();
  });
  state.on("outgoing", renderStrips);
  state.on("signed-out", () => {
    list.replaceChildren();
    renderStrips();
  });

  byId("chat-status-dismiss").addEventListener("click", () => client.dismissOutgoing());
  endChat.addEventListener("click", async () => {
    endChat.disabled = true;
    try {
      await client.endChat();
    } catch (error) {
      ui.toast(`Could not end the chat: ${sentence(error.message)}`, "error");
    } finally {
      endChat.disabled = false;
    }
  });
}
