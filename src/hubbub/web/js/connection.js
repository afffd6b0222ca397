// The WebSocket to the server: requests with ids and promised answers, events to a
// handler, and reconnection with backoff when the connection drops.
//
// The page speaks only docs/protocol.md: one JSON object per text frame. Nothing here
// knows what a message or a user is; client.js does.

const BACKOFF_MS = [250, 500, 1000, 2000, 3000, 5000];
const REQUEST_TIMEOUT_MS = 15000;
// The server closes a socket that has not signed in within 10 s (docs/protocol.md).
const SIGN_IN_LATE = 4002;

/** A refused or failed request: the server's error code and its sentence for people. */
export class RequestError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function serverUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws`;
}

export class Connection {
  /**
   * onEvent(frame): every server event (frames without an id).
   * onOpen(): called on each (re)connect; may return a promise (sign-in, resume).
   * onStatus(status): "connecting" | "open" | "reconnecting" | "stopped".
   * signedOut(): true while there is no session to resume: a socket the server closes
   *   for not signing in is then left closed until whenOpen() is asked for.
   */
  constructor(url, { onEvent, onOpen, onStatus, signedOut }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onStatus = onStatus;
    this.signedOut = signedOut;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map();
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
    this.status = "stopped";
    this.everOpened = false;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this._connect();
  }

  /** Close normally (code 1000) and stop reconnecting; the server ends the session now. */
  stop(reason = "bye") {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) {
      try {
        this.ws.close(1000, reason);
      } catch {
        // already closing
      }
    }
    this._failPending("offline", "the connection is closed");
    this._setStatus("stopped");
  }

  /** Try again now (the browser came back online, or the user asked). */
  retryNow() {
    if (this.stopped || this.status === "open" || this.ws) return;
    clearTimeout(this.timer);
    this._connect();
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Resolves once the socket is open, opening one now if there is none (a signed-out
   *  page that sat longer than the server's sign-in deadline has none). */
  whenOpen() {
    if (this.isOpen) return Promise.resolve();
    this.stopped = false;
    if (!this.ws) {
      clearTimeout(this.timer);
      this.attempt = 0;
      this._connect();
    }
    const ws = this.ws;
    if (!ws) {
      return Promise.reject(
        new RequestError("offline", "the server cannot be reached yet — retrying…"),
      );
    }
    return new Promise((resolve, reject) => {
      const fail = () =>
        reject(new RequestError("offline", "the server cannot be reached yet — retrying…"));
      const timer = setTimeout(fail, REQUEST_TIMEOUT_MS);
      ws.addEventListener("open", () => (clearTimeout(timer), resolve()), { once: true });
      ws.addEventListener("close", () => (clearTimeout(timer), fail()), { once: true });
    });
  }

  /** Send a request; resolves with the `ok` frame, rejects with a RequestError. */
  request(type, fields = {}) {
    if (!this.isOpen) {
      return Promise.reject(
        new RequestError("offline", "not connected to the server — reconnecting…"),
      );
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError("timeout", "The server did not answer in time."));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...fields, type, id }));
    });
  }

  _connect() {
    this._setStatus(this.everOpened || this.attempt > 0 ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this._scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => this._opened(ws));
    ws.addEventListener("message", (event) => this._received(event.data));
    ws.addEventListener("close", (event) => this._closed(ws, event.code));
  }

  async _opened(ws) {
    if (ws !== this.ws) return;
    this.everOpened = true;
    try {
      await this.onOpen();
    } catch (error) {
      // onOpen decides what is fatal (it calls stop()); anything else: try again later.
      if (!this.stopped && ws === this.ws && ws.readyState === WebSocket.OPEN) {
        console.warn("hubbub: could not resume the session", error);
        ws.close(1000, "retrying");
      }
      return;
    }
    if (ws === this.ws && ws.readyState === WebSocket.OPEN) {
      this.attempt = 0;
      this._setStatus("open");
    }
  }

  _received(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame === null || typeof frame !== "object") return;
    const waiting = frame.id != null ? this.pending.get(frame.id) : undefined;
    if (waiting && (frame.type === "ok" || frame.type === "error")) {
      this.pending.delete(frame.id);
      clearTimeout(waiting.timer);
      if (frame.type === "ok") waiting.resolve(frame);
      else waiting.reject(new RequestError(frame.code, frame.message));
      return;
    }
    if (frame.type === "ok" || frame.type === "error") return;
    this.onEvent(frame);
  }

  _closed(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    this._failPending("offline", "The connection was lost before the server answered.");
    if (code === SIGN_IN_LATE && this.signedOut()) {
      // Nobody signed in on this page yet: no socket until they do (whenOpen).
      this.stopped = true;
      this._setStatus("stopped");
      return;
    }
    if (this.stopped) return;
    this._scheduleRetry();
  }

  _scheduleRetry() {
    this.ws = null;
    this._setStatus("reconnecting");
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const delay = base / 2 + Math.random() * base;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.stopped) this._connect();
    }, delay);
  }

  _failPending(code, message) {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new RequestError(code, message));
    }
    this.pending.clear();
  }

  _setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }
}
