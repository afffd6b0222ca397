// Building DOM safely: every string becomes a text node (never HTML), so whatever a user
// typed shows exactly as typed.

/**
 * h("button", { class: "x", "data-testid": "y", onclick: fn }, "text", child)
 * Attributes are set with setAttribute; `on…` keys add listeners; `text` sets textContent.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "text") {
      element.textContent = String(value);
    } else {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`hubbub: #${id} is missing from index.html`);
  return element;
}

/** Replace the children of `container` with elements for `items`, reusing them by key. */
export function reconcile(container, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of container.children) existing.set(child.dataset.key, child);
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let element = existing.get(key);
    if (element) existing.delete(key);
    else {
      element = create(item);
      element.dataset.key = key;
    }
    update(element, item);
    const wanted = previous ? previous.nextSibling : container.firstChild;
    if (wanted !== element) container.insertBefore(element, wanted);
    previous = element;
  }
  for (const stale of existing.values()) stale.remove();
}

const AVATAR_COLOURS = 8;

/** A stable colour class for a name, so a person looks the same everywhere. */
export function avatarClass(name) {
  let hash = 0;
  for (const ch of String(name).toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `avatar-c${hash % AVATAR_COLOURS}`;
}

export function avatar(name, extra = "") {
  const initial = Array.from(String(name).trim())[0] ?? "?";
  return h(
    "span",
    { class: `avatar ${avatarClass(name)} ${extra}`.trim(), "aria-hidden": "true" },
    initial.toUpperCase(),
  );
}

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  hash: "M5 9h14M5 15h14M10 4 8 20M16 4l-2 16",
  at: "M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0Zm0 0v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-3.5 7.1",
  chat: "M4 5h16v11H9l-5 4V5Z",
  send: "M4 12 20 4l-6 16-3-7-7-1Z",
  calc: "M6 3h12v18H6zM9 7h6M9 12h.01M12 12h.01M15 12h.01M9 16h.01M12 16h.01M15 16h.01",
  close: "M6 6l12 12M18 6 6 18",
  lock: "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z",
  edit: "M4 20h4L19 9l-4-4L4 16v4ZM13.5 6.5l4 4",
  trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13",
};

export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name] ?? "");
  svg.append(path);
  return svg;
}

export function formatTime(ts) {
  const date = new Date(ts * 1000);
  const now = new Date();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === now.toDateString()) return time;
  const day = date.toLocaleDateString([], { month: "short", day: "numeric" });
  return `${day}, ${time}`;
}

export function fullTime(ts) {
  return new Date(ts * 1000).toLocaleString([], { dateStyle: "full", timeStyle: "medium" });
}

/**
 * A server message with a full stop. Its first letter is left alone: the server's
 * sentences often start with a name, and names are shown exactly as they are.
 */
export function sentence(text) {
  const trimmed = String(text ?? "").trim();
  if (!trimmed) return "";
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
