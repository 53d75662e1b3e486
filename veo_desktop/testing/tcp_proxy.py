"""A loopback TCP proxy that breaks the link on demand (team-mode design §5): put it between one desktop and
PostgreSQL (or the simulator) and switch its mode while the test runs.

- `pass`: bytes flow both ways;
- `blackhole`: nothing flows and no new connection reaches the server, as when a laptop's network vanishes;
  what was sent waits (TCP retransmits), so a short blackhole ends with the same connections alive;
- `reset`: every connection is cut at once with a TCP reset, and new ones are reset on arrival;
- `delay`: every chunk waits `delay_ms` before it is passed on.
Both ends must be on 127.0.0.0/8. Run it on the test's event loop: `async with FaultProxy(port) as proxy`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
from typing import Literal

Mode = Literal["pass", "blackhole", "reset", "delay"]
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


class FaultProxy:
    def __init__(self, upstream_port: int, *, upstream_host: str = "127.0.0.1", host: str = "127.0.0.1") -> None:
        for name in (upstream_host, host):
            if ipaddress.ip_address(name) not in LOOPBACK:
                raise ValueError(f"The fault proxy joins loopback addresses only, not {name!r}.")
        self._upstream, self._host = (upstream_host, upstream_port), host
        self.mode: Mode = "pass"
        self.delay_ms = 0
        self.port = 0
        self.connections = 0  # accepted so far
        self._changed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._live: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, self._host, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
        self.set_mode("reset")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def set_mode(self, mode: Mode, *, delay_ms: int = 0) -> None:
        self.mode, self.delay_ms = mode, delay_ms
        self._changed.set()
        self._changed = asyncio.Event()  # the next change wakes whoever waits now
        if mode == "reset":
            for writer in list(self._live):
                _reset(writer)

    async def _gate(self) -> bool:
        """Wait while the link is down; False when the connection must be cut."""
        while self.mode == "blackhole":
            await self._changed.wait()
        if self.mode == "delay":
            await asyncio.sleep(self.delay_ms / 1000)
        return self.mode != "reset"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        ends = [writer]
        self._live.add(writer)
        try:
            if not await self._gate():
                _reset(writer)
                return
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
            ends.append(up_writer)
            self._live.add(up_writer)
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True)
        except OSError:
            pass
        finally:
            self._tasks.discard(task)
            for end in ends:
                self._live.discard(end)
                end.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if not await self._gate():
                    break
                writer.write(data)
                await writer.drain()
        finally:
            if self.mode == "reset":
                _reset(writer)
            else:
                writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a dropped route or a restarted middlebox does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
