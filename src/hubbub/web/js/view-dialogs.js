// Chat requests (a dialog to accept or decline) and short notes that fade away (toasts).

import { avatar, byId, h, sentence } from "./dom.js";
import { sameName } from "./state.js";

const TOAST_MS = 7000;

export function mountToasts(ui) {
  const toasts = byId("toasts");
  ui.toast = (text, kind = "info") => {
    const toast = h("p", { class: `toast toast-${kind}`, "data-testid": "toast" }, text);
    toasts.append(toast);
    setTimeout(() => toast.remove(), TOAST_MS);
  };
}

export function mountChatRequests(client, state, ui) {
  const dialog = byId("chat-request-dialog");
  const text = byId("chat-request-text");
  const expiry = byId("chat-request-expiry");
  const face = byId("chat-request-avatar");
  const accept = byId("accept-chat");
  const decline = byId("decline-chat");
  const queue = []; // { from, expiresAt }
  let ticker = null;
  let returnTo = null; // what had focus before the dialog opened

  function current() {
    return queue[0] ?? null;
  }

  function render() {
    const request = current();
    if (!request) {
      clearInterval(ticker);
      ticker = null;
      if (dialog.open) {
        dialog.close();
        // Back where the person was; in a chat that has just started, its message box.
        const back = returnTo;
        returnTo = null;
        if (state.chat) ui.focusComposer(true);
        else if (back?.isConnected && back.getClientRects().length && !back.disabled) back.focus();
        else ui.focusComposer(true);
      }
      return;
    }
    face.replaceChildren(avatar(request.from, "avatar-large"));
    text.replaceChildren(h("strong", {}, request.from), " wants to chat with you.");
    tick();
    if (!ticker) ticker = setInterval(tick, 1000);
    accept.disabled = false;
    decline.disabled = false;
    if (!dialog.open) {
      returnTo = document.activeElement;
      dialog.showModal();
      accept.focus();
    }
  }

  function tick() {
    const request = current();
    if (!request) return;
    const left = Math.max(0, Math.round((request.expiresAt - Date.now()) / 1000));
    expiry.textContent =
      `The request expires in ${left} s. ` + "While you chat, both of you show as busy.";
    if (left <= 0) remove(request.from);
  }

  function remove(from) {
    const index = queue.findIndex((r) => sameName(r.from, from));
    if (index >= 0) queue.splice(index, 1);
    render();
  }

  async function answer(yes) {
    const request = current();
    if (!request) return;
    accept.disabled = true;
    decline.disabled = true;
    try {
      await client.chats.answerChat(request.from, yes);
    } catch (error) {
      ui.toast(`Could not answer: ${sentence(error.message)}`, "error");
    }
    remove(request.from);
  }

  accept.addEventListener("click", () => answer(true));
  decline.addEventListener("click", () => answer(false));
  // Escape must not silently drop a request: the person is waiting for an answer.
  dialog.addEventListener("cancel", (event) => event.preventDefault());

  state.on("chat-request", ({ from, expiresIn }) => {
    remove(from);
    queue.push({ from, expiresAt: Date.now() + expiresIn * 1000 });
    render();
  });
  state.on("chat-cancelled", ({ from, text: why }) => {
    if (queue.some((r) => sameName(r.from, from))) ui.toast(why, "info");
    remove(from);
  });
  state.on("chat", () => {
    // Once in a chat, the server withdraws every other request to us.
    if (state.chat) {
      queue.length = 0;
      render();
    }
  });
  state.on("signed-out", () => {
    queue.length = 0;
    render();
  });
}
