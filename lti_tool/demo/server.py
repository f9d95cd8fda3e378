"""Serve a WSGI application on a background thread (tests, benchmarks and `lti-tool demo`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietRequestHandler(WSGIRequestHandler):
    """A request handler that does not log every request to stderr."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class RunningServer:
    """A server started by `serve_in_thread`; `url` is `http://host:port` (no trailing slash)."""

    url: str
    host: str
    port: int
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving, close the socket and wait for the thread (safe to call twice)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def serve_in_thread(wsgi_app: Callable, host: str = "127.0.0.1", port: int = 0,
                    quiet: bool = True) -> RunningServer:
    """Bind `host:port` (port 0 picks a free one) and serve `wsgi_app` on a daemon thread.

    The server is threaded: one thread per request, so a tool and a platform served this way can
    call each other while a request is in progress.
    """
    server = make_server(host, port, wsgi_app, threaded=True,
                         request_handler=_QuietRequestHandler if quiet else None)
    bound_port = server.socket.getsockname()[1]
    # A short poll interval makes stop() return quickly (tests start and stop many servers).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"wsgi-{host}:{bound_port}", daemon=True)
    thread.start()
    url_host = f"[{host}]" if ":" in host else host
    return RunningServer(f"http://{url_host}:{bound_port}", host, bound_port, server, thread)
