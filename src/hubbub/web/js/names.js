// Names as the server compares them, and the Lobby's id.

export const LOBBY = "lobby";

/** Names are unique ignoring case; good enough to match the server's NFKC + casefold. */
export function nameKey(name) {
  return String(name).normalize("NFKC").toLowerCase();
}

export function sameName(a, b) {
  return a != null && b != null && nameKey(a) === nameKey(b);
}
