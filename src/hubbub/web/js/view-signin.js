// The sign-in screen: a name and a password, the server's refusal shown under them.

import { byId, sentence } from "./dom.js";

const PASSWORD_FAULTS = new Set(["wrong_password", "invalid_field"]);
const NAME_FAULTS = new Set(["invalid_name", "name_in_use"]);
const EXTRA = {
  wrong_password: "If this name is not yours, choose another one.",
};

export function mountSignIn(client, state, screens) {
  const form = byId("signin-form");
  const name = byId("signin-name");
  const password = byId("signin-password");
  const error = byId("signin-error");
  const submit = byId("signin-submit");

  /** Show a refusal under the form, and mark the field it is about (if any) as invalid. */
  function showError(text, field = null) {
    error.textContent = text;
    error.hidden = !text;
    for (const input of [name, password]) {
      if (input === field) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "signin-error");
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = name.value;
    if (!chosen.trim()) {
      showError("Type a name to sign in.", name);
      name.focus();
      return;
    }
    if (!password.value) {
      showError("Type a password. New names are claimed with it.", password);
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
      const field = PASSWORD_FAULTS.has(failure.code)
        ? password
        : NAME_FAULTS.has(failure.code)
          ? name
          : null;
      showError(extra ? `${why} ${extra}` : why, field);
      (field ?? name).focus();
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
