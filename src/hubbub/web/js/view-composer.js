// The input box: Enter sends to the open conversation, Shift+Enter makes a new line,
// a few slash commands, the calculator, "NAME is typing…", and the server's refusals
// shown right above.

import { byId, sentence } from "./dom.js";

const HELP =
  "Commands: /calc EXPRESSION (only you see the answer), /users (who is online), " +
  "/msg NAME TEXT (a private message), /help.";

function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function mountComposer(client, state, ui) {
  const form = byId("composer");
  const input = byId("composer-input");
  const label = byId("composer-label");
  const send = byId("send");
  const error = byId("composer-error");
  const calcForm = byId("calc-form");
  const calcInput = byId("calc-input");
  const calcToggle = byId("calc-toggle");
  const typing = byId("typing-indicator");
  const endedBar = byId("ended-bar");
  const endedText = byId("ended-bar-text");
  const backToLobby = byId("back-to-lobby");
  let typingTimer = null;

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  const visible = (element) => element && !element.disabled && element.getClientRects().length > 0;

  /** The control to put focus on when the one holding it goes away. */
  ui.composerTarget = () => {
    for (const candidate of [input, backToLobby, byId("sidebar-toggle")]) {
      if (visible(candidate)) return candidate;
    }
    return byId("message-scroller");
  };

  /** Focus the message box; on touch screens only when asked (`force`), not to pop a keyboard. */
  ui.focusComposer = (force = false) => {
    if (force || matchMedia("(hover: hover)").matches) ui.composerTarget().focus();
  };

  function renderTarget() {
    const conversation = state.active;
    const ended = conversation.kind === "chat" && Boolean(conversation.ended);
    const archived = conversation.kind === "room" && Boolean(conversation.archived);
    input.disabled = ended || archived;
    send.disabled = ended || archived;
    calcToggle.disabled = ended || archived;
    endedBar.hidden = !ended && !archived;
    endedText.textContent = archived ? "This room is archived." : "This chat has ended.";
    let where = `Message # ${conversation.title}`;
    if (conversation.kind === "dm") where = `Message ${conversation.name} privately`;
    if (conversation.kind === "chat") {
      where = ended ? "This chat has ended" : `Message ${conversation.name}`;
    }
    if (archived) where = "This room is archived";
    input.placeholder = where;
    label.textContent = where;
    renderTyping();
  }

  function renderTyping() {
    clearTimeout(typingTimer);
    const names = state.typingIn(state.current);
    typing.textContent = typingText(names);
    if (names.length) typingTimer = setTimeout(renderTyping, 1000);
  }

  async function run(action, text, what = "Not sent") {
    showError("");
    try {
      await action();
    } catch (failure) {
      showError(`${what}: ${sentence(failure.message)}`);
      if (text !== undefined && !input.value) input.value = text;
    }
  }

  async function submit() {
    const text = input.value;
    if (!text.trim()) return;
    const command = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(text.trim());
    input.value = "";
    if (command) {
      const [, name, rest = ""] = command;
      switch (name.toLowerCase()) {
        case "calc":
          if (!rest.trim()) {
            showError("Type an expression after /calc, for example /calc 2*(3+4).");
            input.value = text;
            return;
          }
          return run(() => client.calc(rest.trim()), text, "Not calculated");
        case "users":
          return run(() => client.listUsers(), text, "Could not list users");
        case "msg": {
          const target = /^(\S+)\s+([\s\S]+)$/.exec(rest);
          if (!target) {
            showError("Use /msg NAME TEXT.");
            input.value = text;
            return;
          }
          return run(async () => {
            await client.sendTo(target[1], target[2]);
            state.addLocal(state.current, "notice", {
              text: `Sent privately to ${target[1]}; the conversation is in the sidebar.`,
            });
          }, text);
        }
        case "help":
          state.addLocal(state.current, "notice", { text: HELP });
          return;
        default:
          break; // not a command: send it as typed
      }
    }
    return run(() => client.send(text), text);
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    if (!error.hidden && input.value.length <= 4000) showError("");
    if (input.value.trim() && !input.value.startsWith("/")) client.typing(state.current);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
    input.focus();
  });
  backToLobby.addEventListener("click", () => {
    client.open("lobby");
    ui.focusComposer(true);
  });

  // ---------------------------------------------------------------- calculator

  function setCalc(open) {
    calcForm.hidden = !open;
    calcToggle.setAttribute("aria-expanded", String(open));
    calcToggle.classList.toggle("active", open);
    if (open) calcInput.focus();
  }
  calcToggle.addEventListener("click", () => setCalc(calcForm.hidden));
  calcForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      setCalc(false);
      input.focus();
    }
  });
  calcForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const expression = calcInput.value.trim();
    if (!expression) return;
    run(() => client.calc(expression), undefined, "Not calculated").then(() => calcInput.select());
  });

  state.on("active", () => {
    renderTarget();
    showError("");
  });
  state.on("active-info", renderTarget);
  state.on("chat", renderTarget);
  state.on("signed-in", renderTarget);
  state.on("typing", ({ conversationId }) => {
    if (conversationId === state.current) renderTyping();
  });
  // A chat that starts takes focus to its message box; one that ends, to the way out.
  state.on("chat-opened", () => ui.focusComposer(true));
  state.on("chat-closed", () => {
    const focused = document.activeElement;
    const lost =
      !focused || focused === document.body || focused.disabled || !focused.getClientRects().length;
    if (lost || focused === input) ui.composerTarget().focus();
  });
}
