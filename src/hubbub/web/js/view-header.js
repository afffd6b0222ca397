// The conversation's header (title, topic, the buttons for this kind of conversation)
// and the strips under it: "alone", and the state of my chat request.

import { byId, sentence } from "./dom.js";

export function mountHeader(client, state, ui) {
  const title = byId("conversation-title");
  const subtitle = byId("conversation-subtitle");
  const editTopic = byId("edit-topic");
  const membersToggle = byId("members-toggle");
  const inviteOpen = byId("invite-open");
  const endChat = byId("end-chat");
  const aloneNotice = byId("alone-notice");
  const chatStatus = byId("chat-status");
  const chatStatusText = byId("chat-status-text");

  function render() {
    const conversation = state.active;
    const room = conversation.kind === "room";
    title.textContent = room ? `# ${conversation.title}` : conversation.title;
    let text = "";
    if (room) {
      if (conversation.topic) text = conversation.topic;
      else if (conversation.isLobby) text = "Everyone who is signed in sees these messages.";
      else text = conversation.private ? "A private room." : "No topic yet.";
      if (conversation.archived) text = `Archived · ${text}`;
    } else if (conversation.kind === "dm") {
      const status = state.statusOf(conversation.name);
      const shown = status === "offline" ? "offline — delivered when they sign in" : status;
      text = `Private messages with ${conversation.name} · ${shown}`;
    } else if (conversation.kind === "chat") {
      text = conversation.ended ?? "1:1 chat · only the two of you see it";
    }
    subtitle.textContent = text;
    subtitle.title = text;
    editTopic.hidden = !room || Boolean(conversation.archived);
    membersToggle.hidden = !room;
    inviteOpen.hidden = !room || Boolean(conversation.archived);
    const live = state.chat && state.chat.conversation === conversation.id;
    endChat.hidden = !live;
  }

  function renderStrips() {
    aloneNotice.hidden = !state.alone;
    if (state.aloneText) aloneNotice.textContent = state.aloneText;
    const outgoing = state.outgoing;
    chatStatus.hidden = !outgoing;
    if (!outgoing) return;
    chatStatus.classList.toggle("strip-waiting", outgoing.state === "waiting");
    chatStatus.classList.toggle("strip-warning", outgoing.state !== "waiting");
    chatStatusText.textContent =
      outgoing.state === "waiting"
        ? `Waiting for ${outgoing.to} to answer your chat request…`
        : outgoing.text;
  }

  byId("chat-status-dismiss").addEventListener("click", () => {
    client.chats.dismissOutgoing();
    ui.focusComposer(true);
  });
  endChat.addEventListener("click", async () => {
    try {
      await client.chats.endChat();
    } catch (error) {
      ui.toast(`Could not end the chat: ${sentence(error.message)}`, "error");
    }
  });

  state.on("active", render);
  state.on("active-info", render);
  state.on("signed-in", () => {
    render();
    renderStrips();
  });
  state.on("chat", () => {
    render();
    renderStrips();
  });
  state.on("users", () => {
    renderStrips();
    if (state.active.kind === "dm") render();
  });
  state.on("outgoing", renderStrips);
  state.on("signed-out", renderStrips);
}
