// Changing my own messages: the inline editor (Enter saves, Escape cancels) and the
// dialog that asks before a delete. Focus goes back to the message's buttons after.

import { byId, h, sentence } from "./dom.js";

/** `elementOf(item)`: the message's element; `content(item)`: its text as shown. */
export function mountEditing(client, state, ui, { elementOf, content }) {
  const deleteDialog = byId("delete-dialog");
  let toDelete = null; // { conversationId, seq, opener }

  function startEdit(item) {
    const element = elementOf(item);
    if (!element) return;
    const old = element.querySelector(".msg-content");
    const box = h("textarea", {
      class: "edit-input",
      "data-testid": "edit-input",
      "aria-label": "Edit message",
      rows: "2",
    });
    box.value = item.text;
    const error = h("p", {
      class: "form-error",
      "data-testid": "edit-error",
      role: "alert",
      hidden: true,
    });
    const finish = () => {
      const fresh = elementOf(item);
      if (fresh && fresh.contains(form)) form.replaceWith(content(item));
      elementOf(item)?.querySelector("[data-testid=edit-message]")?.focus();
    };
    const save = async () => {
      const text = box.value;
      if (text === item.text) return finish();
      try {
        await client.edit(state.current, item.seq, text);
        item.text = text; // the change record follows; show it now
        item.edited = true;
        finish();
      } catch (failure) {
        error.textContent = `Not saved: ${sentence(failure.message)}`;
        error.hidden = false;
      }
    };
    const form = h(
      "form",
      {
        class: "edit-form",
        "data-testid": "edit-form",
        onsubmit: (e) => (e.preventDefault(), save()),
      },
      box,
      error,
      h(
        "div",
        { class: "edit-actions" },
        h(
          "button",
          { type: "button", class: "button button-secondary button-small", onclick: finish },
          "Cancel",
        ),
        h(
          "button",
          {
            type: "submit",
            class: "button button-primary button-small",
            "data-testid": "edit-save",
          },
          "Save",
        ),
      ),
    );
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        save();
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        finish();
      }
    });
    old.replaceWith(form);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  function askDelete(item, opener) {
    toDelete = { conversationId: state.current, seq: item.seq, opener };
    byId("delete-quote").textContent = item.text;
    deleteDialog.showModal();
  }

  byId("delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const target = toDelete;
    deleteDialog.close();
    if (!target) return;
    try {
      await client.deleteMessage(target.conversationId, target.seq);
    } catch (failure) {
      ui.toast(`Not deleted: ${sentence(failure.message)}`, "error");
    }
  });
  deleteDialog.addEventListener("close", () => {
    const opener = toDelete?.opener;
    toDelete = null;
    if (opener?.isConnected) opener.focus();
    else ui.focusComposer(true);
  });
  for (const button of deleteDialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => deleteDialog.close());
  }

  return { startEdit, askDelete };
}
