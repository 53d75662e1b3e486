"""The loopback fault proxy of the team tests: bytes pass; a blackhole holds them (and new connections) until
the link is back, on the same connections; a reset cuts every connection and refuses new ones; a delay holds
each chunk at least its time. Against a loopback echo server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from veo_desktop.testing.tcp_proxy import FaultProxy

QUIET_S = 0.2  # "nothing arrives" is checked for this long: a broken proxy fails fast, a good one never flakes


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[FaultProxy]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        async with FaultProxy(port) as fault_proxy:
            yield fault_proxy
    finally:
        server.close()
        await server.wait_closed()


async def _open(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def _roundtrip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> bytes:
    writer.write(data)
    await writer.drain()
    return await reader.readexactly(len(data))


async def test_pass_and_a_blackhole_that_ends_on_the_same_connection(proxy: FaultProxy) -> None:
    reader, writer = await _open(proxy)
    assert await _roundtrip(reader, writer, b"hello") == b"hello"
    proxy.set_mode("blackhole")
    writer.write(b"held")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.readexactly(4), QUIET_S)
    late_reader, late_writer = await _open(proxy)  # accepted, but it reaches no server yet
    late_writer.write(b"late")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(late_reader.readexactly(4), QUIET_S)
    proxy.set_mode("pass")
    assert await asyncio.wait_for(reader.readexactly(4), 5) == b"held"
    assert await asyncio.wait_for(late_reader.readexactly(4), 5) == b"late"
    assert proxy.connections == 2
    for w in (writer, late_writer):
        w.close()


async def test_a_reset_cuts_every_connection_and_refuses_new_ones(proxy: FaultProxy) -> None:
    reader, writer = await _open(proxy)
    assert await _roundtrip(reader, writer, b"x") == b"x"
    proxy.set_mode("reset")
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await asyncio.wait_for(_roundtrip(reader, writer, b"y"), 5)
    new_reader, new_writer = await _open(proxy)
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await asyncio.wait_for(_roundtrip(new_reader, new_writer, b"z"), 5)
    proxy.set_mode("pass")
    again = await _open(proxy)
    assert await _roundtrip(*again, b"ok") == b"ok"
    for w in (writer, new_writer, again[1]):
        w.close()


async def test_a_delay_holds_each_chunk_at_least_its_time(proxy: FaultProxy) -> None:
    reader, writer = await _open(proxy)
    proxy.set_mode("delay", delay_ms=100)
    started = time.monotonic()
    assert await _roundtrip(reader, writer, b"slow") == b"slow"
    assert time.monotonic() - started >= 0.2  # held once each way: a lower bound, never flaky
    writer.close()


def test_only_loopback_addresses() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(5432, upstream_host="10.0.0.1")
