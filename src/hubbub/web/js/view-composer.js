// The input box: Enter sends to the open conversation, Shift+Enter makes a new line,
// a few slash commands, the calculator, and the server's refusals shown right above.

import { byId, sentence } from "./dom.js";

const HELP =
  "Commands: /calc EXPRESSION (only you see the answer), /users (who is online), " +
  "/msg NAME TEXT (a private message), /help.";

export function mountComposer(client, state, ui) {
  const form = byId("composer");
  const input = byId("composer-input");
  const label = byId("composer-label");
  const send = byId("send");
  const error = byId("composer-error");
  const calcForm = byId("calc-form");
  const calcInput = byId("calc-input");
  const calcToggle = byId("calc-toggle");

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  ui.focusComposer = () => {
    if (matchMedia("(hover: hover)").matches && !input.disabled) input.focus();
  };

  function renderTarget() {
    const conversation = state.active;
    const ended = conversation.kind === "chat" && Boolean(conversation.ended);
    input.disabled = ended;
    send.disabled = ended;
    let where = "Message the Lobby";
    if (conversation.kind === "dm") where = `Message ${conversation.partner} privately`;
    if (conversation.kind === "chat")
      where = ended ? "This chat has ended" : `Message ${conversation.partner}`;
    input.placeholder = where;
    label.textContent = where;
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
            state.addLocal(state.activeId, "notice", {
              text: `Sent privately to ${target[1]}; the conversation is in the sidebar.`,
            });
          }, text);
        }
        case "help":
          state.addLocal(state.activeId, "notice", { text: HELP });
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
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
    input.focus();
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
  state.on("chat", renderTarget);
  state.on("signed-in", renderTarget);
}
