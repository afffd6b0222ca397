"""The client-frame reader: what a client may send is read, anything else fails with its code."""

from __future__ import annotations

import struct

import pytest

from hubbub.server.frames import (
    Binary,
    Close,
    Event,
    Failure,
    FrameReader,
    Ping,
    Pong,
    Text,
)
from hubbub.server.outbound import NO_STATUS, close_frame
from ws_client import BINARY, CLOSE, CONTINUATION, PING, PONG, TEXT, client_frame, close_payload

LIMIT = 1024


def events(*chunks: bytes, limit: int = LIMIT) -> list[Event]:
    reader = FrameReader(limit)
    out: list[Event] = []
    for chunk in chunks:
        reader.feed(chunk)
        while (event := reader.next_event()) is not None:
            out.append(event)
    return out


def test_masked_text_binary_ping_and_pong_are_read_in_order() -> None:
    data = (
        client_frame(TEXT, "héllo".encode())
        + client_frame(BINARY, b"\x00\xff")
        + client_frame(PING, b"p")
        + client_frame(PONG, b"")
    )
    assert events(data) == [Text("héllo"), Binary(b"\x00\xff"), Ping(b"p"), Pong(b"")]


def test_frames_fed_one_byte_at_a_time_come_out_whole() -> None:
    data = client_frame(TEXT, b"x" * 300) + client_frame(TEXT, b"short")
    assert events(*(data[i : i + 1] for i in range(len(data)))) == [
        Text("x" * 300),
        Text("short"),
    ]


def test_a_reader_that_is_not_asked_keeps_the_rest_for_later() -> None:
    reader = FrameReader(LIMIT)
    reader.feed(client_frame(TEXT, b"one") + client_frame(TEXT, b"two"))
    assert reader.next_event() == Text("one")
    reader.feed(client_frame(TEXT, b"three"))
    assert [reader.next_event(), reader.next_event(), reader.next_event()] == [
        Text("two"),
        Text("three"),
        None,
    ]


def test_16_and_64_bit_lengths_are_read() -> None:
    medium, long = b"m" * 200, b"l" * 70_000
    assert events(
        client_frame(TEXT, medium),
        client_frame(TEXT, b"tiny", long_length=True),
        client_frame(BINARY, long),
        limit=100_000,
    ) == [Text("m" * 200), Text("tiny"), Binary(long)]


def test_a_64_bit_length_with_its_top_bit_set_is_a_protocol_error() -> None:
    frame = bytes([0x81, 0x80 | 127]) + struct.pack("!Q", 1 << 63) + b"mask"
    assert events(frame) == [Failure(1002, "a 64-bit frame length must not set its top bit")]


def test_an_unmasked_frame_is_a_protocol_error_and_nothing_after_it_is_read() -> None:
    assert events(
        client_frame(TEXT, b"fine") + client_frame(TEXT, b"bare", masked=False),
        client_frame(TEXT, b"after"),
    ) == [Text("fine"), Failure(1002, "a client's frames must be masked")]


def test_reserved_bits_and_unknown_opcodes_are_protocol_errors() -> None:
    rsv = bytearray(client_frame(TEXT, b"x"))
    rsv[0] |= 0x40
    assert [e.code for e in events(bytes(rsv)) if isinstance(e, Failure)] == [1002]
    for opcode in (0x3, 0x7, 0xB, 0xF):
        (failure,) = events(client_frame(opcode, b"x"))
        assert failure == Failure(1002, f"unknown opcode {opcode:#x}")


def test_a_fragmented_message_is_joined_and_control_frames_may_come_between() -> None:
    assert events(
        client_frame(TEXT, b"hel", final=False),
        client_frame(PING, b"1"),
        client_frame(CONTINUATION, b"lo ", final=False),
        client_frame(PONG, b""),
        client_frame(CONTINUATION, b"world"),
        client_frame(BINARY, b"a", final=False) + client_frame(CONTINUATION, b"b"),
    ) == [Ping(b"1"), Pong(b""), Text("hello world"), Binary(b"ab")]


def test_fragments_out_of_place_are_protocol_errors() -> None:
    (stray,) = events(client_frame(CONTINUATION, b"x"))
    assert stray == Failure(1002, "a continuation frame with no message to continue")
    assert events(client_frame(TEXT, b"a", final=False) + client_frame(TEXT, b"b")) == [
        Failure(1002, "a new message before the fragmented one ended")
    ]


def test_control_frames_are_short_and_never_fragmented() -> None:
    (fragmented,) = events(client_frame(PING, b"x", final=False))
    assert fragmented == Failure(1002, "a control frame must not be fragmented")
    assert events(client_frame(PING, b"x" * 125)) == [Ping(b"x" * 125)]
    (too_long,) = events(client_frame(PING, b"x" * 126))
    assert too_long == Failure(1002, "a control frame carries at most 125 bytes")


def test_a_message_over_the_limit_fails_with_1009_before_its_payload_arrives() -> None:
    assert events(client_frame(TEXT, b"x" * LIMIT)) == [Text("x" * LIMIT)]
    header_only = client_frame(TEXT, b"x" * (LIMIT + 1))[:8]
    assert events(header_only) == [Failure(1009, f"messages are limited to {LIMIT} bytes")]
    # The fragments together count: 600 + 600 is over 1024.
    assert events(
        client_frame(TEXT, b"x" * 600, final=False), client_frame(CONTINUATION, b"y" * 600)
    ) == [Failure(1009, f"messages are limited to {LIMIT} bytes")]


def test_text_that_is_not_utf8_fails_with_1007() -> None:
    assert events(client_frame(TEXT, b"\xff")) == [Failure(1007, "a text frame must be UTF-8")]


def test_utf8_split_across_fragments_is_read_and_a_bad_fragment_fails_at_once() -> None:
    snowman = "☃".encode()  # three bytes
    assert events(
        client_frame(TEXT, snowman[:1], final=False),
        client_frame(CONTINUATION, snowman[1:2], final=False),
        client_frame(CONTINUATION, snowman[2:]),
    ) == [Text("☃")]
    # Fails at the fragment that cannot be UTF-8, before the message's end.
    assert events(
        client_frame(TEXT, snowman[:2], final=False), client_frame(CONTINUATION, b"A", final=False)
    ) == [Failure(1007, "a text message must be UTF-8")]
    # A message that ends inside a character fails too.
    assert events(
        client_frame(TEXT, snowman[:2], final=False), client_frame(CONTINUATION, b"")
    ) == [Failure(1007, "a text message must be UTF-8")]


def test_close_frames_carry_a_code_and_reason_or_nothing() -> None:
    assert events(client_frame(CLOSE, close_payload(1000, "bye"))) == [Close(1000, "bye")]
    assert events(client_frame(CLOSE, b"")) == [Close(NO_STATUS, "")]
    assert events(client_frame(CLOSE, close_payload(4123))) == [Close(4123, "")]


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 2999, 5000])
def test_a_close_code_no_peer_may_send_is_a_protocol_error(code: int) -> None:
    assert events(client_frame(CLOSE, close_payload(code))) == [
        Failure(1002, f"{code} may not be sent in a close frame")
    ]


def test_broken_close_payloads_fail() -> None:
    assert events(client_frame(CLOSE, b"\x03")) == [
        Failure(1002, "a close frame's code takes 2 bytes")
    ]
    assert events(client_frame(CLOSE, close_payload(1000) + b"\xff")) == [
        Failure(1007, "a close frame's reason must be UTF-8")
    ]


def test_the_servers_close_frame_fits_a_control_frame() -> None:
    assert close_frame(1000, "bye") == bytes([0x88, 5]) + close_payload(1000, "bye")
    assert close_frame(NO_STATUS, "ignored") == bytes([0x88, 0])
    long = close_frame(4000, "é" * 100)  # 200 bytes of reason: cut at a character
    assert long[1] == 2 + 122
    assert long[4:].decode() == "é" * 61


def test_nothing_is_read_after_a_close_frame() -> None:
    assert events(
        client_frame(CLOSE, close_payload(1000)) + client_frame(TEXT, b"late"),
        client_frame(TEXT, b"later"),
    ) == [Close(1000, "")]
