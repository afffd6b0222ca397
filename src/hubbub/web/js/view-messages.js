// The main pane's message list: messages (with edit and delete on my own, delete on
// others' for a room's moderators), local lines,
// the "new messages" divider, scrollback, jumping to a search result, and the live
// region that announces only messages that arrive while the page is open.

import { avatar, byId, formatTime, fullTime, h, icon, sentence } from "./dom.js";
import { mountEditing } from "./view-edit.js";

const NEAR_BOTTOM_PX = 80;
const GROUP_SECONDS = 300;
const LOAD_OLDER_PX = 120;
const ANNOUNCED_KEPT = 8;

/** The text with every @mention of `me` marked. */
function withMentions(text, me) {
  if (!me) return [text];
  const escaped = me.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`@${escaped}(?![\\p{L}\\p{N}])`, "giu");
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h("mark", { class: "mention" }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

export function mountMessages(client, state, ui) {
  const scroller = byId("message-scroller");
  const list = byId("message-list");
  const historyStatus = byId("history-status");
  const announcer = byId("announcer");
  let anchor = null; // { element, offset } kept in place while older messages load

  // ---------------------------------------------------------------- elements

  function timeElement(ts) {
    return h(
      "time",
      {
        class: "msg-time",
        "data-testid": "message-time",
        datetime: new Date(ts * 1000).toISOString(),
        title: fullTime(ts),
      },
      formatTime(ts),
    );
  }

  function content(item) {
    if (item.deleted) {
      return h(
        "div",
        { class: "msg-content" },
        h("span", { class: "msg-deleted", "data-testid": "message-deleted" }, "message deleted"),
      );
    }
    return h(
      "div",
      { class: "msg-content" },
      h(
        "span",
        { class: "msg-text", "data-testid": "message-text" },
        withMentions(item.text, state.me?.name),
      ),
      item.edited
        ? h("span", { class: "msg-edited", "data-testid": "message-edited" }, " (edited)")
        : null,
    );
  }

  /** Edit and delete on my messages; on others', a delete that only moderators see. */
  function actions(item) {
    if (item.deleted || item.type !== "message") return null;
    if (!item.own) {
      return h(
        "div",
        { class: "msg-actions msg-moderate" },
        h(
          "button",
          {
            type: "button",
            class: "icon-button icon-button-small",
            "data-testid": "moderate-delete",
            "aria-label": `Delete ${item.from}'s message (moderator)`,
            title: "Delete (moderator)",
            onclick: (event) => askDelete(item, event.currentTarget),
          },
          icon("trash"),
        ),
      );
    }
    return h(
      "div",
      { class: "msg-actions" },
      h(
        "button",
        {
          type: "button",
          class: "icon-button icon-button-small",
          "data-testid": "edit-message",
          "aria-label": "Edit message",
          title: "Edit",
          onclick: () => startEdit(item),
        },
        icon("edit"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "icon-button icon-button-small",
          "data-testid": "delete-message",
          "aria-label": "Delete message",
          title: "Delete",
          onclick: (event) => askDelete(item, event.currentTarget),
        },
        icon("trash"),
      ),
    );
  }

  function messageElement(item) {
    const classes = ["msg"];
    if (item.own) classes.push("msg-own");
    if (item.mentionsMe) classes.push("msg-mention");
    if (item.type === "pending") classes.push("msg-pending");
    return h(
      "li",
      {
        class: classes.join(" "),
        "data-testid": item.type === "pending" ? "pending-message" : "message",
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
          item.type === "pending"
            ? h("span", { class: "msg-time" }, "sending…")
            : timeElement(item.ts),
          item.mentionsMe ? h("span", { class: "visually-hidden" }, "(mentions you)") : null,
        ),
        content(item),
      ),
      actions(item),
    );
  }

  function line(kind, testid, ...parts) {
    return h("li", { class: `line line-${kind}`, "data-testid": testid }, ...parts);
  }

  function localElement(item) {
    const d = item.parts;
    switch (item.kind) {
      case "join":
        return line("system", "system-line", h("strong", {}, d.name), " joined");
      case "leave":
        return line("system", "system-line", h("strong", {}, d.name), " left");
      case "topic":
        return line(
          "system",
          "topic-line",
          h("strong", {}, d.by),
          d.topic ? ` set the topic: ${d.topic}` : " cleared the topic",
        );
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
        const names = d.users.map(
          (u) => `${u.name}${u.name === d.me ? " (you)" : ""} — ${u.status}`,
        );
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
    if (item.type === "divider") {
      return h(
        "li",
        { class: "divider", "data-testid": "new-divider" },
        h("span", { class: "divider-text" }, "New messages"),
      );
    }
    return item.type === "local" ? localElement(item) : messageElement(item);
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

  // ---------------------------------------------------------------- announcing

  function announce(text) {
    announcer.append(h("p", {}, text));
    while (announcer.children.length > ANNOUNCED_KEPT) announcer.firstChild.remove();
  }

  function announcement(item) {
    if (item.type === "message" && !item.own) {
      return `${item.from}: ${item.deleted ? "message deleted" : item.text}`;
    }
    if (item.type !== "local") return null;
    const d = item.parts;
    if (item.kind === "calc") return `${d.expression} = ${d.result}`;
    if (item.kind === "calc-error") return `${d.expression}: ${sentence(d.message)}`;
    if (item.kind === "chat-end") return d.text;
    if (item.kind === "chat-start") return `You are now chatting with ${d.partner}.`;
    if (item.kind === "users" || item.kind === "notice") return list.lastChild?.textContent ?? null;
    return null;
  }

  // ---------------------------------------------------------------- editing and deleting

  function elementOf(item) {
    const index = state.active.items.indexOf(item);
    return index >= 0 ? list.children[index] : null;
  }

  const { startEdit, askDelete } = mountEditing(client, state, ui, { elementOf, content });

  // ---------------------------------------------------------------- scrolling

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function toBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  /** Where a conversation opens: at "new messages" when there are some, else at the end. */
  function toPlace() {
    const divider = list.querySelector("[data-testid=new-divider]");
    if (divider) scroller.scrollTop = Math.max(0, divider.offsetTop - scroller.offsetTop - 40);
    else toBottom();
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
      if (conversation.isLobby)
        historyStatus.textContent = "This is the start of the Lobby. Say hello!";
      else if (conversation.kind === "room") {
        historyStatus.textContent = `This is the start of # ${conversation.title}.`;
      } else historyStatus.textContent = "This is the start of the conversation.";
    } else historyStatus.textContent = "";
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
    scroller.setAttribute(
      "aria-label",
      `Messages: ${conversation.kind === "room" ? "# " : ""}${conversation.title}`,
    );
    renderHistoryStatus();
    toPlace();
    maybeLoadOlder();
  }

  state.on("item", ({ conversation, item, index, live }) => {
    if (conversation.id !== state.current) return;
    const atEnd = index >= conversation.items.length - 1;
    const follow = atEnd && (nearBottom() || item.own || item.type === "local");
    list.insertBefore(elementFor(item), list.children[index] ?? null);
    regroup(conversation.items, index);
    if (follow && !anchor) toBottom();
    if (live && atEnd) {
      const text = announcement(item);
      if (text) announce(text);
    }
  });

  state.on("removed", ({ conversation, index }) => {
    if (conversation.id !== state.current) return;
    list.children[index]?.remove();
    regroup(conversation.items, index);
  });

  state.on("changed", ({ conversation, item }) => {
    if (conversation.id !== state.current) return;
    const element = elementOf(item);
    if (!element) return;
    const editing = element.querySelector(".edit-form");
    const hadFocus = element.contains(document.activeElement);
    if (editing && !item.deleted) return; // the editor's own save shows the new text
    const fresh = elementFor(item);
    fresh.className = element.className;
    element.replaceWith(fresh);
    if (hadFocus) (fresh.querySelector("button") ?? scroller).focus();
  });

  state.on("history-loading", ({ conversation, older }) => {
    if (conversation.id !== state.current) return;
    if (older) keepAnchor();
    renderHistoryStatus();
  });

  state.on("history", ({ conversation, older }) => {
    if (conversation.id !== state.current) return;
    renderHistoryStatus();
    if (older) restoreAnchor();
    else toPlace();
    requestAnimationFrame(maybeLoadOlder);
  });

  state.on("jump", ({ conversationId, seq }) => {
    if (conversationId !== state.current) return;
    const target = list.querySelector(`[data-testid=message][data-seq="${seq}"]`);
    if (!target) return;
    for (const old of list.querySelectorAll(".msg-highlight"))
      old.classList.remove("msg-highlight");
    target.classList.add("msg-highlight");
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });

  state.on("active", renderAll);
  state.on("signed-in", ({ resumed }) => {
    // A resumed session keeps what is on screen (and where it was scrolled to).
    if (!resumed) renderAll();
  });
  state.on("signed-out", () => {
    list.replaceChildren();
    announcer.replaceChildren();
  });
}
