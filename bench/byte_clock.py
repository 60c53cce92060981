"""A loopback TCP relay that notes when the service's last byte went to a client.

Run as its own process (so it takes no interpreter time from the program being measured):
``python byte_clock.py TARGET_PORT`` prints ``RELAY <port> CONTROL <port>``, then relays every
connection to ``127.0.0.1:TARGET_PORT``. A connection to the control port is answered with
the ``time.monotonic()`` (the same clock in every process) of the latest chunk relayed from
the service to a client in answer to a request whose path contains ``WATCHED`` (a folder
listing: other requests, such as the app's task polling, do not count), then closed.
``ByteClock`` starts it and asks it.
"""

from __future__ import annotations

import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path

CHUNK = 1 << 16
WATCHED = b"/ls?"
METHODS = (b"GET ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ")


def relay(target_port: int) -> None:
    selector = selectors.DefaultSelector()
    listener = socket.create_server(("127.0.0.1", 0))
    control = socket.create_server(("127.0.0.1", 0))
    for server in (listener, control):
        server.setblocking(False)
        selector.register(server, selectors.EVENT_READ)
    print(f"RELAY {listener.getsockname()[1]} CONTROL {control.getsockname()[1]}", flush=True)
    peer: dict[socket.socket, socket.socket] = {}
    from_service: set[socket.socket] = set()
    watched: set[socket.socket] = set()  # services answering a watched request now
    last_reply = 0.0
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is listener:
                client, _ = listener.accept()
                service = socket.create_connection(("127.0.0.1", target_port))
                for one in (client, service):
                    one.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    selector.register(one, selectors.EVENT_READ)
                peer[client], peer[service] = service, client
                from_service.add(service)
            elif sock is control:
                asker, _ = control.accept()
                asker.sendall(f"{last_reply!r}\n".encode())
                asker.close()
            else:
                try:
                    data = sock.recv(CHUNK)
                except OSError:
                    data = b""
                other = peer.get(sock)
                if not data or other is None:
                    for one in (sock, other):
                        if one is not None and one in peer:
                            selector.unregister(one)
                            peer.pop(one, None)
                            from_service.discard(one)
                            watched.discard(one)
                            one.close()
                    continue
                if sock not in from_service and data.startswith(METHODS):
                    request_line = data.split(b"\r\n", 1)[0]
                    if WATCHED in request_line:
                        watched.add(other)
                    else:
                        watched.discard(other)
                other.setblocking(True)
                other.sendall(data)
                if sock in watched:
                    last_reply = time.monotonic()


class ByteClock:
    """The relay in its own process: ``port`` to connect to, ``last_reply()`` to ask."""

    def __init__(self, target_port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), str(target_port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        words = self.process.stdout.readline().split()
        self.port, self.control_port = int(words[1]), int(words[3])

    def last_reply(self) -> float:
        """When the service's latest byte went out to a client (``time.monotonic()``)."""
        with socket.create_connection(("127.0.0.1", self.control_port)) as asker:
            return float(asker.makefile().readline())

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


if __name__ == "__main__":
    relay(int(sys.argv[1]))
