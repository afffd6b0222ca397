"""The desktop application: the Tk root, the queue it polls, and the windows it opens.

Threads: Tk runs on the thread that made the :class:`DesktopApp` (the main thread when
run from the command line) and only there; the network has its own (see
:mod:`.network`). Every :data:`POLL_MS` the Tk thread takes what the network delivered,
lets the model decide, carries out the effects and redraws once.
"""

from __future__ import annotations

import logging
import queue
import time
import tkinter as tk
from pathlib import Path

from hubbub import protocol
from hubbub.client import RequestFailed
from hubbub.desktop import signin
from hubbub.desktop.actions import Actions
from hubbub.desktop.dialogs import ShortcutsDialog
from hubbub.desktop.effects import (
    AskChat,
    ChatOver,
    DropAsk,
    Effect,
    MarkRead,
    Notify,
    OpenChat,
    Reload,
    SaveToken,
    SessionEnded,
    Show,
)
from hubbub.desktop.look import Look
from hubbub.desktop.main_view import MainView
from hubbub.desktop.messenger import Messenger
from hubbub.desktop.model import Desktop
from hubbub.desktop.network import Answer, Network
from hubbub.desktop.panels import Panels
from hubbub.desktop.settings import SettingsFile, normal_server
from hubbub.desktop.signin_view import SignInView
from hubbub.desktop.theme import other, resized

logger = logging.getLogger("hubbub.desktop")

POLL_MS = 25
"""How often the Tk thread looks for news from the network."""
BUDGET_S = 0.04
"""The most time one poll spends on news before letting Tk draw and take input."""
TICK_MS = 1000
"""How often time alone changes what is shown (typing lines)."""


class DesktopApp:
    """One signed-in (or signing-in) desktop client with its windows."""

    def __init__(self, *, server: str | None, config_dir: Path) -> None:
        self.settings_file = SettingsFile(config_dir)
        settings = self.settings_file.load()
        self.server = normal_server(server) if server else settings.server
        self.root = tk.Tk(className="hubbub")
        self.root.title("hubbub — sign in")
        self.look = Look(self.root, settings.theme, settings.font_size)
        self.model = Desktop()
        self.network = Network(on_error=lambda error: self.actions.note_error(error))
        self.actions = Actions(self)
        self.panels = Panels(self)
        self.main_view: MainView | None = None
        self.messenger = Messenger(self)
        self.signin_view = self._sign_in_form(settings.name)
        self.root.protocol("WM_DELETE_WINDOW", self.quit)
        # On every window of the app (the chat window and dialogs too).
        self.root.bind_all("<FocusIn>", lambda _e: self._focus_changed(), add="+")
        self.root.bind_all("<FocusOut>", lambda _e: self._focus_changed(), add="+")
        self.network.start()
        self._running = True
        self._timers = {"poll": self.root.after(POLL_MS, self._poll),
                        "tick": self.root.after(TICK_MS, self._tick)}
        if token := settings.token_for(self.server):
            self._sign_in(self.server, settings.name, None, token)

    # ------------------------------------------------------------------ lifecycle

    def run(self) -> None:
        """Show the windows until the user quits."""
        self.root.mainloop()
        self.quit()

    def quit(self) -> None:
        """Close the connection normally (the server ends the session; the token stays)."""
        if not self._running:
            return
        self._running = False
        for timer in self._timers.values():
            self.root.after_cancel(timer)
        self.root.withdraw()
        self.network.stop()
        self.root.destroy()

    # ------------------------------------------------------------------ signing in

    def _sign_in_form(self, name: str) -> SignInView:
        self.root.minsize(360, 420)
        self.root.geometry("420x480")
        view = SignInView(self.root, server=self.server, name=name, on_submit=self.submit)
        view.pack(fill="both", expand=True)
        return view

    def submit(self, server: str, name: str, password: str) -> None:
        """The sign-in form's Sign in: a password, or the saved token for that name."""
        settings = self.settings_file.load()
        token = None
        if not password and settings.name.casefold() == name.strip().casefold():
            token = settings.token_for(server)
        problem = signin.check(server, name, password, token=token)
        self.signin_view.show_problem(problem)
        if problem is None:
            self._sign_in(normal_server(server), name, password or None, token)

    def _sign_in(self, server: str, name: str, password: str | None, token: str | None) -> None:
        self.server = server
        self.signin_view.waiting("Signing in…" if password else f"Resuming as {name}…")

        def failed(error: Exception) -> None:
            if isinstance(error, RequestFailed) and error.code is protocol.ErrorCode.INVALID_TOKEN:
                self.settings_file.update(token=None)
            self.signin_view.waiting(None)
            self.signin_view.show_problem(signin.explain(error, server, name))

        self.network.sign_in(server, name, password=password, token=token,
                             on_done=self._signed_in, on_error=failed)

    def _signed_in(self, reply: protocol.SignedIn) -> None:
        self.settings_file.update(server=self.server, name=reply.name, token=reply.token)
        self.signin_view.destroy()
        self.root.title(self.model.title)
        self.root.geometry("1100x680")
        self.root.minsize(720, 420)
        self.main_view = MainView(self.root, self.look, self)
        self.main_view.pack(fill="both", expand=True)
        self.panels.menu()
        self.carry_out(self.model.signed_in(reply, time.time()))
        self.actions.reload()
        self.actions.show(protocol.LOBBY)
        self.main_view.entry.focus_set()

    def sign_out(self) -> None:
        def signed_out(_: None) -> None:
            self.settings_file.update(token=None)
            self.back_to_sign_in(None)

        self.network.sign_out(signed_out)

    def back_to_sign_in(self, reason: str | None) -> None:
        self.messenger.close_all()
        if self.main_view is not None:
            self.main_view.destroy()
            self.main_view = None
        self.panels.close_all()
        name = self.model.me
        self.model = Desktop()
        self.actions = Actions(self)
        self.root.title("hubbub — sign in")
        self.signin_view = self._sign_in_form(name)
        if reason:
            self.signin_view.show_problem(signin.Problem("form", reason))

    # ------------------------------------------------------------------ the loop

    def _poll(self) -> None:
        if not self._running:
            return
        try:
            self._take_deliveries()
        finally:
            if self._running:
                self._timers["poll"] = self.root.after(POLL_MS, self._poll)

    def _take_deliveries(self) -> None:
        deadline = time.monotonic() + BUDGET_S
        taken = False
        while time.monotonic() < deadline:
            try:
                delivery = self.network.deliveries.get_nowait()
            except queue.Empty:
                break
            taken = True
            try:
                if isinstance(delivery, Answer):
                    delivery.deliver()
                elif delivery.session == self.network.session and self.model.me:
                    self.carry_out(self.model.apply(delivery.event, time.time()))
            except Exception:
                logger.exception("could not show %r", delivery)
        if taken:
            self.render()

    def _tick(self) -> None:
        if self._running:
            self.render()
            self._timers["tick"] = self.root.after(TICK_MS, self._tick)

    def render(self) -> None:
        if not self._running or self.main_view is None:
            return
        now = time.time()
        self.main_view.render(self.model, now)
        if self.messenger.window is not None:
            self.messenger.window.render(self.model, now)
        if self.root.title() != self.model.title:
            self.root.title(self.model.title)

    def carry_out(self, effects: list[Effect]) -> None:
        for effect in effects:
            match effect:
                case AskChat(requester):
                    self.messenger.ask(requester)
                case DropAsk(requester):
                    self.messenger.drop(requester)
                case OpenChat(conversation, partner):
                    self.messenger.open(conversation, partner)
                case ChatOver(conversation, text):
                    self.messenger.over(conversation, text)
                case Notify():
                    self.root.bell()
                case MarkRead():
                    self.actions.mark_read(effect)
                case Show(conversation):
                    self.actions.show(conversation)
                case Reload():
                    self.actions.reload()
                case SaveToken(token):
                    self.settings_file.update(server=self.server, name=self.model.me, token=token)
                case SessionEnded(reason):
                    self.back_to_sign_in(reason)

    # ------------------------------------------------------------------ look and focus

    def toggle_theme(self) -> None:
        theme = other(self.look.theme)
        self.settings_file.update(theme=theme)
        self.look.apply(theme, self.look.size)

    def resize_text(self, step: int) -> None:
        size = resized(self.look.size, step)
        self.settings_file.update(font_size=size)
        self.look.apply(self.look.theme, size)

    def set_focused(self, focused: bool) -> None:
        if focused != self.model.focused:
            self.carry_out(self.model.focus(focused))
            self.render()

    def _focus_changed(self) -> None:
        # FocusOut on one window comes before FocusIn on the next: judge once both are in.
        def judge() -> None:
            if self._running:
                self.set_focused(self.root.focus_displayof() is not None)

        if "focus" in self._timers:
            self.root.after_cancel(self._timers["focus"])
        self._timers["focus"] = self.root.after(50, judge)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.root, self.look)


def run(server: str | None, config_dir: Path) -> None:
    """Run the desktop client until the user quits."""
    DesktopApp(server=server, config_dir=config_dir).run()
