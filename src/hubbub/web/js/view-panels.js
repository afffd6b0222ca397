// The side panels beside the conversation: a room's members (and leaving it), and
// search, whose results open their conversation at the message found.

import { avatar, byId, formatTime, h, reconcile, sentence } from "./dom.js";
import { LOBBY } from "./state.js";

const STATUS_ORDER = { online: 0, busy: 1, away: 2, offline: 3 };

export function mountPanels(client, state, ui) {
  const app = byId("app");
  const panels = { members: byId("members-panel"), search: byId("search-panel") };
  const toggles = { members: byId("members-toggle"), search: byId("search-toggle") };
  let open = null;

  function setPanel(name, { focus = true } = {}) {
    const previous = open;
    open = name;
    for (const [key, panel] of Object.entries(panels)) {
      panel.hidden = key !== name;
      toggles[key].setAttribute("aria-expanded", String(key === name));
      toggles[key].classList.toggle("active", key === name);
    }
    app.classList.toggle("panel-open", name !== null);
    if (name === "members") renderMembers(true);
    if (!focus) return;
    if (name === "search") byId("search-input").focus();
    else if (name) panels[name].querySelector(".panel-close").focus();
    else if (previous && toggles[previous].getClientRects().length) toggles[previous].focus();
    else ui.focusComposer(true);
  }
  ui.closePanel = (options) => setPanel(null, options);

  for (const name of Object.keys(panels)) {
    toggles[name].addEventListener("click", () => setPanel(open === name ? null : name));
    panels[name].querySelector(".panel-close").addEventListener("click", () => setPanel(null));
    panels[name].addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        setPanel(null);
      }
    });
  }

  // ---------------------------------------------------------------- members

  const memberList = byId("member-list");
  const summary = byId("members-summary");
  const leave = byId("leave-room");

  function memberRow() {
    return h("li", { class: "member", "data-testid": "member-row" });
  }

  function updateMember(li, member) {
    li.dataset.name = member.name;
    li.replaceChildren(
      h(
        "span",
        { class: "avatar-wrap" },
        avatar(member.name),
        h("span", { class: `status-dot status-${member.status}` }),
      ),
      h("span", { class: "person-name", "data-testid": "member-name" }, member.name),
      member.role === "owner" || member.role === "moderator"
        ? h("span", { class: "role-tag", "data-testid": "member-role" }, member.role)
        : null,
      h(
        "span",
        { class: `status-badge status-${member.status}`, "data-testid": "member-status" },
        member.status,
      ),
      ui.memberMenu(state.active.id, member),
    );
  }

  function renderMembers(fetch = false) {
    const room = state.active;
    if (open !== "members") return;
    if (room.kind !== "room") {
      setPanel(null, { focus: false });
      return;
    }
    byId("members-title").textContent = `Members of # ${room.title}`;
    const members = [...(state.members.get(room.id)?.values() ?? [])].sort(
      (a, b) =>
        (STATUS_ORDER[a.status] ?? 4) - (STATUS_ORDER[b.status] ?? 4) ||
        a.name.localeCompare(b.name),
    );
    const complete = state.membersComplete.has(room.id);
    const shown = complete ? members : members.filter((m) => m.status !== "offline");
    reconcile(memberList, shown, (m) => m.name.toLowerCase(), memberRow, updateMember);
    const online = members.filter((m) => m.status !== "offline").length;
    summary.textContent = complete
      ? `${members.length} ${members.length === 1 ? "member" : "members"} · ${online} online`
      : "Loading members…";
    leave.hidden = room.id === LOBBY;
    if (fetch) client.loadMembers(room.id).catch(() => {});
  }

  leave.addEventListener("click", async () => {
    const room = state.active;
    try {
      await client.leaveRoom(room.id);
      setPanel(null, { focus: false });
      ui.toast(`You left # ${room.title}.`, "info");
      ui.focusComposer(true);
    } catch (error) {
      ui.toast(`Could not leave: ${sentence(error.message)}`, "error");
    }
  });

  state.on("members", ({ room }) => {
    if (room === state.current) renderMembers();
  });
  state.on("active", () => renderMembers(true));

  // ---------------------------------------------------------------- search

  const form = byId("search-form");
  const input = byId("search-input");
  const status = byId("search-status");
  const results = byId("search-results");
  const more = byId("search-more");
  let query = "";
  let nextOffset = null;

  function where(id) {
    const conversation = state.conversation(id);
    if (!conversation) return id.startsWith("dm:") ? "a direct message" : "a conversation";
    return conversation.kind === "room" ? `# ${conversation.title}` : conversation.title;
  }

  // The server counts offsets in code points; slice an array of them, not UTF-16 units.
  function snippet(text, highlights) {
    const points = Array.from(text);
    const parts = [];
    let last = 0;
    for (const [start, end] of [...(highlights ?? [])].sort((a, b) => a[0] - b[0])) {
      if (start < last || end > points.length) continue;
      if (start > last) parts.push(points.slice(last, start).join(""));
      parts.push(h("mark", {}, points.slice(start, end).join("")));
      last = end;
    }
    parts.push(points.slice(last).join(""));
    return parts;
  }

  function resultElement(hit) {
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "result",
          "data-testid": "search-result",
          "data-conversation": hit.conversation,
          "data-seq": hit.seq,
          onclick: () => jump(hit),
        },
        h(
          "span",
          { class: "result-meta" },
          h("strong", {}, hit.from),
          ` in ${where(hit.conversation)} · `,
          formatTime(hit.ts),
        ),
        h(
          "span",
          { class: "result-snippet", "data-testid": "search-snippet" },
          snippet(hit.snippet, hit.highlights),
        ),
      ),
    );
  }

  async function jump(hit) {
    if (ui.isNarrow() || window.innerWidth < 1000) setPanel(null, { focus: false });
    if (ui.navOpen()) ui.closeNav();
    try {
      await client.jump(hit.conversation, hit.seq);
    } catch (error) {
      ui.toast(`Could not open the message: ${sentence(error.message)}`, "error");
    }
  }

  async function run(offset) {
    status.textContent = "Searching…";
    try {
      const ok = await client.search(query, offset);
      if (offset === 0) results.replaceChildren();
      results.append(...ok.results.map(resultElement));
      nextOffset = ok.next_offset ?? null;
      more.hidden = nextOffset === null;
      const count = results.children.length;
      const shown = `${count}${nextOffset === null ? "" : "+"}`;
      const noun = count === 1 ? "result" : "results";
      status.textContent =
        count === 0
          ? `Nothing found for “${query}”.`
          : `${shown} ${noun} for “${query}”, newest first.`;
    } catch (error) {
      status.textContent = `Could not search: ${sentence(error.message)}`;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    query = input.value.trim();
    if (!query) {
      status.textContent = "Type a word to search for.";
      return;
    }
    run(0);
  });
  more.addEventListener("click", () => {
    if (nextOffset !== null) run(nextOffset);
  });

  state.on("signed-out", () => {
    setPanel(null, { focus: false });
    results.replaceChildren();
    status.textContent = "";
    input.value = "";
  });
}
