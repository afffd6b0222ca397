// Server events (docs/protocol.md, "Events") turned into changes of the ChatState.

import { sentence } from "./dom.js";
import { LOBBY, sameName } from "./state.js";
import { moderationEvent } from "./view-moderation.js";

const ENDED = {
  ended: (by) => `${by} ended the chat.`,
  closed: (by) => `${by} left the chat (closed the window or signed out).`,
  disconnected: (by) => `${by} lost their connection; the chat is over.`,
};

const CANCELLED = {
  expired: (from) => `The chat request from ${from} expired.`,
  left: (from) => `${from} went offline; their chat request is withdrawn.`,
  busy: (from) => `${from} is now in another chat; their request is withdrawn.`,
};

function viewing(state, conversationId) {
  return conversationId === state.current && document.visibilityState === "visible";
}

/** Someone arrived in (or left) a room: a line in it, never for a full snapshot. */
function arrival(state, room, name, before, after) {
  if (state.isMe(name) || !state.conversation(room)) return;
  if (before === "offline" && after !== "offline") state.addLocal(room, "join", { name });
  if (before !== "offline" && after === "offline") state.addLocal(room, "leave", { name });
}

function presence(state, frame) {
  const room = frame.room;
  if (typeof room !== "string" || !Array.isArray(frame.users)) return;
  if (frame.full) {
    const members = state.roomMembers(room);
    for (const member of members.values()) member.status = "offline";
    for (const user of frame.users) state.setMember(room, user.name, user.status);
  } else {
    for (const user of frame.users) {
      const before = state.setMember(room, user.name, user.status);
      arrival(state, room, user.name, before, user.status);
    }
  }
  state.emit("members", { room });
  state.emit("users");
  state.emit("me");
}

export function handleEvent(client, frame) {
  const state = client.state;
  if (!state.me) return;
  switch (frame.type) {
    case "message": {
      const live = viewing(state, frame.conversation);
      const item = state.addMessage(frame, { live: true, viewing: live });
      if (item && live) client.markViewed();
      break;
    }
    case "message_edited":
    case "message_deleted":
      state.applyChange(frame);
      break;
    case "resume_gap":
      client.history.fillRange(frame.conversation, frame.after, frame.head).catch(() => {});
      break;
    case "presence":
      presence(state, frame);
      break;
    case "member_joined": {
      const before = state.setMember(frame.room, frame.name, frame.status ?? "online");
      if (before === "offline") arrival(state, frame.room, frame.name, "offline", "online");
      state.emit("members", { room: frame.room });
      state.emit("users");
      break;
    }
    case "member_left": {
      const before = state.dropMember(frame.room, frame.name);
      if (before !== "offline") arrival(state, frame.room, frame.name, before, "offline");
      else if (!state.isMe(frame.name) && state.conversation(frame.room)) {
        state.addLocal(frame.room, "leave", { name: frame.name });
      }
      state.emit("members", { room: frame.room });
      state.emit("users");
      break;
    }
    case "room_added": {
      const conversation = client.takeRoom(frame.room);
      const head = Number(frame.head) || 0;
      conversation.last_seq = Math.max(conversation.last_seq, head);
      conversation.read = Math.max(conversation.read, head);
      state.marks[conversation.id] = Math.max(state.marks[conversation.id] ?? 0, head);
      if (frame.by && !state.isMe(frame.by)) {
        state.emit("toast", {
          text: `${frame.by} added you to # ${frame.room.name}.`,
          kind: "info",
        });
      }
      state.emit("sidebar");
      break;
    }
    case "room_removed": {
      const id = frame.room;
      const conversation = state.conversation(id);
      if (!conversation) break;
      const wasActive = state.current === id;
      state.remove(id);
      state.emit("sidebar");
      state.emit("users");
      if (wasActive) client.open(LOBBY);
      state.emit("room-removed", { id, name: conversation.name, wasActive });
      if (frame.reason !== "left") moderationEvent(client, frame, conversation.title);
      break;
    }
    case "muted":
    case "moderated":
      moderationEvent(client, frame);
      break;
    case "room_changed": {
      const conversation = state.conversation(frame.room?.id);
      if (!conversation) break;
      const topicBefore = conversation.topic;
      client.takeRoom(frame.room);
      if ((frame.room.topic ?? "") !== (topicBefore ?? "")) {
        state.addLocal(conversation.id, "topic", { by: frame.by, topic: frame.room.topic });
      }
      state.emit("active-info");
      break;
    }
    case "typing":
      if (!state.isMe(frame.name)) state.setTyping(frame.conversation, frame.name);
      break;
    case "read": {
      const conversation = state.conversation(frame.conversation);
      if (!conversation) break;
      conversation.read = Math.max(conversation.read, frame.seq);
      if (conversation.read >= conversation.last_seq) {
        conversation.unread = 0;
        conversation.mentions = 0;
        state.emit("sidebar");
      } else {
        client.refreshConversationsSoon();
      }
      break;
    }
    case "notice":
      // An admin ended every session of mine: back to the sign-in form, saying why.
      if (frame.code === "account_banned" || frame.code === "password_reset") {
        client.forget(state.me.name, sentence(frame.text));
        break;
      }
      // "alone" is shown for as long as it is true.
      if (typeof frame.text === "string") state.aloneText = frame.text;
      state.emit("users");
      break;
    case "chat_request": {
      const expiresIn = Number(frame.expires_in) || 60;
      state.requests.push({
        from: frame.from,
        to: state.me.name,
        expiresAt: Date.now() + expiresIn * 1000,
      });
      state.emit("chat-request", { from: frame.from, expiresIn });
      break;
    }
    case "chat_cancelled":
      state.requests = state.requests.filter((r) => !sameName(r.from, frame.from));
      state.emit("chat-cancelled", {
        from: frame.from,
        text: (CANCELLED[frame.reason] ?? CANCELLED.expired)(frame.from),
      });
      break;
    case "chat_started":
      client.chats.chatStarted(frame.conversation, frame.with);
      break;
    case "chat_declined":
      state.requests = state.requests.filter((r) => !sameName(r.to, frame.by));
      client.chats.declined(frame.by, frame.reason);
      break;
    case "chat_ended": {
      const mine = state.isMe(frame.by);
      const text = mine ? "You ended the chat." : (ENDED[frame.reason] ?? ENDED.ended)(frame.by);
      client.chats.chatOver(frame.conversation, text);
      break;
    }
    default:
      break;
  }
}
