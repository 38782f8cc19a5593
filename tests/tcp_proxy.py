"""A loopback TCP relay that a test can cut: the network between the app and its database.

Everything passes through unchanged until `cut()`: then every open connection is closed and
new ones are closed as soon as they arrive, as when the database host drops off the network.
`restore()` lets connections through again.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator

from tests.fakes.anthropic_fake import free_port


class CuttableRelay:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._cut = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> CuttableRelay:
        self._thread.start()
        return self

    def cut(self) -> None:
        self._cut.set()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._cut.clear()

    def stop(self) -> None:
        self._stop.set()
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        with self._lock:
            self._sockets.update((client, upstream))
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self._cut.is_set():
                for key, _ in selector.select(timeout=0.5):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            with self._lock:
                self._sockets.difference_update((client, upstream))
            client.close()
            upstream.close()


@contextlib.contextmanager
def cuttable_relay(uri: str) -> Iterator[tuple[CuttableRelay, str]]:
    """A relay in front of the mongodb:// server at `uri`; yields it and the URI through it."""
    host_port = uri.split("://", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    relay = CuttableRelay(host, int(port)).start()
    try:
        yield relay, uri.replace(host_port, f"127.0.0.1:{relay.port}", 1)
    finally:
        relay.stop()
