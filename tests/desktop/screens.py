"""Screenshots of windows on the Xvfb screen, read from its framebuffer file (``-fbdir``).

No ImageMagick or xwd needed: the framebuffer is an XWD image that Xvfb keeps current;
this crops a window's rectangle out of it and writes a PNG with zlib.
"""

from __future__ import annotations

import struct
import tkinter as tk
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

Box = tuple[int, int, int, int]
"""x, y, width, height on the screen."""


def box_of(*windows: tk.Misc) -> Box:
    """The smallest rectangle around the windows."""
    for window in windows:
        window.update_idletasks()
        window.update()
    left = min(w.winfo_rootx() for w in windows)
    top = min(w.winfo_rooty() for w in windows)
    right = max(w.winfo_rootx() + w.winfo_width() for w in windows)
    bottom = max(w.winfo_rooty() + w.winfo_height() for w in windows)
    return left, top, right - left, bottom - top


def shoot(framebuffer: Path, name: str, *windows: tk.Misc) -> Path:
    """Write the windows' area of the screen to test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    box = box_of(*windows)  # redraws first
    path.write_bytes(png(*crop(framebuffer.read_bytes(), box)))
    return path


def crop(xwd: bytes, box: Box) -> tuple[int, int, bytes]:
    """Width, height and RGB rows of ``box`` in a 24/32-bit TrueColor XWD image."""
    fields = struct.unpack(">25I", xwd[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
    red_mask, green_mask, blue_mask, ncolors = fields[14], fields[15], fields[16], fields[19]
    if bits_per_pixel != 32:
        raise ValueError(f"expected a 32-bit framebuffer, got {bits_per_pixel}")
    x, y, w, h = box
    x, y = max(0, x), max(0, y)
    w, h = min(w, width - x), min(h, height - y)

    def byte_of(mask: int) -> int:
        shift = (mask & -mask).bit_length() - 1
        return shift // 8 if byte_order == 0 else 3 - shift // 8

    r, g, b = byte_of(red_mask), byte_of(green_mask), byte_of(blue_mask)
    start = header_size + ncolors * 12
    rows = bytearray()
    for row in range(y, y + h):
        offset = start + row * bytes_per_line + x * 4
        pixels = xwd[offset : offset + w * 4]
        rgb = bytearray(w * 3)
        rgb[0::3], rgb[1::3], rgb[2::3] = pixels[r::4], pixels[g::4], pixels[b::4]
        rows += b"\x00" + rgb
    return w, h, bytes(rows)


def png(width: int, height: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )
