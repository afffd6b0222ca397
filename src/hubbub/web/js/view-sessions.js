// Your sessions: where you are signed in (device, address, last seen), ending one of them
// or all, and changing your password (which ends every other session).

import { byId, fullTime, h, sentence } from "./dom.js";
import { errorShower, modal } from "./view-rooms.js";

export function mountSessions(client, state, ui) {
  const dialog = byId("sessions-dialog");
  const sessions = modal(dialog, ui);
  const list = byId("sessions-list");
  const status = byId("sessions-status");
  const showError = errorShower(byId("sessions-error"));
  const oldPassword = byId("password-old");
  const newPassword = byId("password-new");
  const passwordError = errorShower(byId("password-error"), oldPassword);

  function sessionRow(session) {
    const where = [session.address, `last signed in ${fullTime(session.last_seen)}`]
      .filter(Boolean)
      .join(" · ");
    const tag = session.current ? " (this one)" : session.connected ? " (online now)" : "";
    return h(
      "li",
      { class: "directory-room", "data-testid": "session-row", "data-session": session.id },
      h(
        "div",
        { class: "directory-text" },
        h("span", { class: "directory-name" }, session.device ?? "An unnamed device", tag),
        h("span", { class: "directory-meta" }, where),
      ),
      session.current
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "button button-secondary button-small",
              "data-testid": "session-revoke",
              "aria-label": `End the session on ${session.device ?? "an unnamed device"}`,
              onclick: async (event) => {
                event.currentTarget.disabled = true;
                try {
                  await client.request("revoke_session", { session: session.id });
                } catch (error) {
                  showError(`Could not end that session: ${sentence(error.message)}`);
                }
                await refresh();
              },
            },
            "End",
          ),
    );
  }

  async function refresh() {
    status.textContent = "Loading…";
    try {
      const ok = await client.request("sessions", {});
      list.replaceChildren(...ok.sessions.map(sessionRow));
      const count = ok.sessions.length;
      status.textContent = `You are signed in ${count === 1 ? "once" : `${count} times`}.`;
    } catch (error) {
      status.textContent = "";
      showError(`Could not list your sessions: ${sentence(error.message)}`);
    }
  }

  byId("sessions-open").addEventListener("click", () => {
    if (ui.navOpen()) ui.closeNav();
    showError("");
    passwordError("");
    oldPassword.value = "";
    newPassword.value = "";
    list.replaceChildren();
    sessions.open();
    refresh();
  });

  dialog.querySelector('[data-testid="sessions-everywhere"]').addEventListener("click", () => {
    sessions.close();
    client.signOut(true);
  });

  byId("password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!oldPassword.value || !newPassword.value) {
      passwordError("Type your current password and a new one.");
      return;
    }
    passwordError("");
    try {
      await client.request("change_password", {
        old: oldPassword.value,
        new: newPassword.value,
      });
      oldPassword.value = "";
      newPassword.value = "";
      ui.toast("Your password is changed; your other sessions have ended.");
      await refresh();
    } catch (error) {
      passwordError(`Could not change the password: ${sentence(error.message)}`);
      oldPassword.focus();
    }
  });

  state.on("signed-out", () => {
    if (dialog.open) sessions.close();
  });
}
