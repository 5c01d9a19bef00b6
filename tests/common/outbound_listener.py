"""A local TCP listener that never answers: it proves that a refused request made no connection at all."""

import socket


class Listener:
    """Listens on a loopback address; the kernel queues any connection even though nobody accepts it."""

    def __init__(self, family: socket.AddressFamily = socket.AF_INET) -> None:
        self.host = "127.0.0.1" if family == socket.AF_INET else "::1"
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.bind((self.host, 0))
        self._socket.listen(8)
        self.port = self._socket.getsockname()[1]

    def url(self, host: str | None = None) -> str:
        host = host or (self.host if ":" not in self.host else f"[{self.host}]")
        return f"http://{host}:{self.port}/"

    def connections(self) -> int:
        """Connections that reached this port so far (each one is accepted and closed)."""
        self._socket.setblocking(False)
        count = 0
        while True:
            try:
                accepted, _address = self._socket.accept()
            except BlockingIOError:
                return count
            accepted.close()
            count += 1

    def close(self) -> None:
        self._socket.close()
