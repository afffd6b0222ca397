"""Keep a ttk.Treeview's rows equal to a list, changing only what differs (so the
selection and scroll position survive a redraw)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from tkinter import ttk


@dataclass(frozen=True, slots=True)
class Item:
    iid: str
    text: str
    values: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    open: bool = True


def sync(tree: ttk.Treeview, items: Sequence[Item], parent: str = "") -> None:
    """Make ``parent``'s children exactly ``items``, in order."""
    wanted = {item.iid for item in items}
    for iid in tree.get_children(parent):
        if iid not in wanted:
            tree.delete(iid)
    for index, item in enumerate(items):
        if tree.exists(item.iid):
            if tree.parent(item.iid) != parent or tree.index(item.iid) != index:
                tree.move(item.iid, parent, index)
            if (
                tree.item(item.iid, "text") != item.text
                or tuple(str(v) for v in tree.item(item.iid, "values")) != item.values
                or tuple(tree.item(item.iid, "tags")) != item.tags
            ):
                tree.item(item.iid, text=item.text, values=item.values, tags=item.tags)
        else:
            tree.insert(parent, index, iid=item.iid, text=item.text, values=item.values,
                        tags=item.tags, open=item.open)
