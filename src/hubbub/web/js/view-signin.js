// The sign-in screen: a name and a password, the server's refusal shown under them.

import { byId, sentence } from "./dom.js";

const EXTRA = {
  wrong_password: "If this name is not yours, choose another one.",
};

export function mountSignIn(client, state, screens) {
  const form = byId("signin-form");
  const name = byId("signin-name");
  const password = byId("signin-password");
  const error = byId("signin-error");
  const submit = byId("signin-submit");

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
    name.setAttribute("aria-invalid", text ? "true" : "false");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = name.value;
    if (!chosen.trim()) {
      showError("Type a name to sign in.");
      name.focus();
      return;
    }
    if (!password.value) {
      showError("Type a password. New names are claimed with it.");
      password.focus();
      return;
    }
    showError("");
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      await client.signIn(chosen, password.value);
      password.value = "";
    } catch (failure) {
      const extra = EXTRA[failure.code];
      const why = `Could not sign in: ${sentence(failure.message)}`;
      showError(extra ? `${why} ${extra}` : why);
      (failure.code === "wrong_password" ? password : name).focus();
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });

  state.on("signed-out", ({ name: previous, reason }) => {
    screens.show("signin");
    name.value = previous ?? "";
    password.value = "";
    showError(reason ?? "");
    (previous ? password : name).focus();
  });
}
