#!/usr/bin/env python3
"""A loopback TCP proxy that adds a round-trip time, for trailguard's benchmark.

Usage: latency_proxy.py --upstream-port N [--rtt-ms 50] [--port 0] [--log FILE]
                        [--max-seconds 3600] [--max-connections 200000]

* Listens on 127.0.0.1 only (port 0 = any free port) and forwards every connection to
  127.0.0.1:<upstream-port>. Prints exactly one line ``PORT=<n>`` on stdout once listening.
* Every chunk read from one side is written to the other rtt/2 after it was read, in each
  direction, and chunks are pipelined: a request split over several TCP segments still pays
  the round trip once (EMULATOR.md §8). The TCP connect itself is not delayed (moto answers
  `Connection: close`, so every call opens a connection; on AWS that cost is hidden by
  keep-alive).
* One asyncio task per direction per connection; the delayed writes are timer callbacks.
* Bounded: exits when stdin reaches EOF (the benchmark holds the pipe), after --max-seconds,
  and stops accepting after --max-connections connections. At most 1024 connections are
  open at once (further ones wait in the listen backlog).
* --log FILE: one JSON line per connection, written when it closes: ``{"open": t, "first_up":
  t, "first_down": t, "close": t, "head": "<first 4 KiB of the request, latin-1>"}``, with t
  in seconds on the monotonic clock (time.monotonic(), comparable with the benchmark's own
  clock on Linux). The benchmark uses it for a timeline of calls.

Standard library only.
"""

import argparse
import asyncio
import json
import os
import sys
import threading
import time

HEAD_BYTES = 4096
MAX_OPEN = 1024
CHUNK = 65536


class Direction:
    """Moves bytes from `reader` to `writer`, each chunk `delay` seconds after it was read."""

    def __init__(self, loop, reader, writer, delay, on_first=None, capture=None):
        self.loop = loop
        self.reader = reader
        self.writer = writer
        self.delay = delay
        self.pending = []  # [(deadline, bytes)], in read order
        self.timer = None
        self.drained = asyncio.Event()
        self.drained.set()
        self.on_first = on_first
        self.capture = capture

    def _flush(self):
        self.timer = None
        now = self.loop.time()
        while self.pending and self.pending[0][0] <= now:
            _, data = self.pending.pop(0)
            if not self.writer.is_closing():
                self.writer.write(data)
        if self.pending:
            self.timer = self.loop.call_at(self.pending[0][0], self._flush)
        else:
            self.drained.set()

    async def run(self):
        try:
            while True:
                data = await self.reader.read(CHUNK)
                if not data:
                    break
                if self.on_first is not None:
                    self.on_first()
                    self.on_first = None
                if self.capture is not None and len(self.capture) < HEAD_BYTES:
                    self.capture.extend(data[: HEAD_BYTES - len(self.capture)])
                deadline = self.loop.time() + self.delay
                self.pending.append((deadline, data))
                self.drained.clear()
                if self.timer is None:
                    self.timer = self.loop.call_at(deadline, self._flush)
                if self.writer.transport.get_write_buffer_size() > 4 * CHUNK:
                    await self.writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            await self.drained.wait()
            try:
                if self.writer.can_write_eof() and not self.writer.is_closing():
                    self.writer.write_eof()
            except (ConnectionError, OSError):
                pass

    def cancel(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.drained.set()


class Proxy:
    def __init__(self, args):
        self.args = args
        self.delay = args.rtt_ms / 2000.0
        self.accepted = 0
        self.open_slots = asyncio.Semaphore(MAX_OPEN)
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.stop = asyncio.Event()

    async def handle(self, client_reader, client_writer):
        self.accepted += 1
        if self.accepted >= self.args.max_connections:
            self.stop.set()
        opened = time.monotonic()
        times = {}
        head = bytearray()
        async with self.open_slots:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.args.upstream_port)
            except OSError:
                client_writer.close()
                return
            loop = asyncio.get_running_loop()
            up = Direction(loop, client_reader, up_writer, self.delay,
                           on_first=lambda: times.setdefault("first_up", time.monotonic()),
                           capture=head)
            down = Direction(loop, up_reader, client_writer, self.delay,
                             on_first=lambda: times.setdefault("first_down", time.monotonic()))
            up_task = asyncio.create_task(up.run())
            down_task = asyncio.create_task(down.run())
            try:
                # The response side ending (moto closes after each response) ends the exchange;
                # the client closing first (a timeout) ends it too once moto has answered.
                await asyncio.wait_for(down_task, timeout=self.args.max_seconds)
            except (asyncio.TimeoutError, Exception):
                pass
            finally:
                up.cancel()
                down.cancel()
                for task in (up_task, down_task):
                    if not task.done():
                        task.cancel()
                for w in (client_writer, up_writer):
                    try:
                        w.close()
                    except Exception:
                        pass
                await asyncio.gather(up_task, down_task, return_exceptions=True)
        if self.log is not None:
            entry = {
                "open": opened,
                "first_up": times.get("first_up"),
                "first_down": times.get("first_down"),
                "close": time.monotonic(),
                "head": head.decode("latin-1"),
            }
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()

    async def main(self):
        server = await asyncio.start_server(self.handle, "127.0.0.1", self.args.port,
                                            backlog=1024, reuse_address=True)
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write(f"PORT={port}\n")
        sys.stdout.flush()
        loop = asyncio.get_running_loop()
        threading.Thread(target=watch_stdin, args=(loop, self.stop), daemon=True).start()
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=self.args.max_seconds)
        except asyncio.TimeoutError:
            sys.stderr.write("latency_proxy.py: --max-seconds reached, stopping\n")
        server.close()
        if self.log is not None:
            self.log.close()


def watch_stdin(loop, stop):
    """Stop when the parent closes our stdin (or dies)."""
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except Exception:
        pass
    loop.call_soon_threadsafe(stop.set)
    time.sleep(2)  # let the loop wind down; then make sure we are gone
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream-port", type=int, required=True, help="port on 127.0.0.1 to forward to")
    parser.add_argument("--port", type=int, default=0, help="port to listen on, 127.0.0.1 (0 = any free)")
    parser.add_argument("--rtt-ms", type=float, default=50.0, help="round trip to add (rtt/2 each way)")
    parser.add_argument("--log", help="append one JSON line per connection to FILE")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="exit after this long")
    parser.add_argument("--max-connections", type=int, default=200000, help="stop after this many")
    args = parser.parse_args()
    if args.rtt_ms < 0 or args.max_seconds <= 0 or args.max_connections <= 0:
        parser.error("--rtt-ms must be >= 0, --max-seconds and --max-connections > 0")
    try:
        asyncio.run(Proxy(args).main())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
