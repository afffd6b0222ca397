// Wires the page together: state, client, and the views that show them.

import { ChatClient } from "./client.js";
import { byId } from "./dom.js";
import { ChatState } from "./state.js";
import { mountChatRequests, mountToasts } from "./view-dialogs.js";
import { mountComposer } from "./view-composer.js";
import { mountHeader } from "./view-header.js";
import { mountMessages } from "./view-messages.js";
import { mountModeration } from "./view-moderation.js";
import { mountPanels } from "./view-panels.js";
import { mountRooms } from "./view-rooms.js";
import { mountSessions } from "./view-sessions.js";
import { mountSidebar } from "./view-sidebar.js";
import { mountSignIn } from "./view-signin.js";

const THEME_KEY = "hubbub.theme";

function mountTheme() {
  const root = document.documentElement;
  const systemDark = matchMedia("(prefers-color-scheme: dark)");
  const effective = () => root.dataset.theme; // always set by theme.js
  const label = () => {
    const next = effective() === "dark" ? "light" : "dark";
    for (const button of document.querySelectorAll(".theme-toggle")) {
      button.setAttribute("aria-label", `Switch to the ${next} theme`);
      button.title = `Switch to the ${next} theme`;
    }
  };
  for (const button of document.querySelectorAll(".theme-toggle")) {
    button.addEventListener("click", () => {
      const next = effective() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try {
        localStorage.setItem(THEME_KEY, next);
      } catch {
        // not remembered, still applied
      }
      label();
    });
  }
  systemDark.addEventListener("change", label);
  label();
}

function mountScreens() {
  const signin = byId("signin");
  const app = byId("app");
  return {
    show(which) {
      signin.hidden = which !== "signin";
      app.hidden = which !== "app";
    },
  };
}

function mountBanner(state, client) {
  const banner = byId("connection-banner");
  state.on("connection", ({ status }) => {
    const down = status === "reconnecting" || (status === "connecting" && client.hasSession);
    banner.hidden = !down;
    banner.textContent = status === "reconnecting" ? "reconnecting…" : "connecting…";
    document.body.classList.toggle("offline", down);
  });
}

const state = new ChatState();
const client = new ChatClient(state);
const screens = mountScreens();
// Shared between views; each view fills in what it owns.
const ui = {
  toast: () => {},
  closeNav: () => {},
  navOpen: () => false,
  isNarrow: () => false,
  focusComposer: () => {},
  composerTarget: () => document.body,
  closePanel: () => {},
  memberMenu: () => null,
};

mountTheme();
mountToasts(ui);
mountBanner(state, client);
mountSignIn(client, state, screens);
mountSidebar(client, state, ui);
mountHeader(client, state, ui);
mountMessages(client, state, ui);
mountComposer(client, state, ui);
mountPanels(client, state, ui);
mountRooms(client, state, ui);
mountSessions(client, state, ui);
mountChatRequests(client, state, ui);
mountModeration(client, state, ui);

state.on("signed-in", ({ resumed }) => {
  const fromForm = !byId("signin").hidden;
  screens.show("app");
  if (fromForm && !resumed) ui.focusComposer(true);
});
state.on("toast", ({ text, kind }) => ui.toast(text, kind));
screens.show(client.hasSession ? "app" : "signin");
if (!client.hasSession) byId("signin-name").focus();
client.start();
