"""The loopback redirect listener for a login in a local browser.

It binds 127.0.0.1 on a free port; Globus Auth redirects the browser to it with `code` and
`state`, and the listener answers with a short page telling the user to go back to gtui.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import urllib.parse

from gtui.core.errors import GlobusError

_DONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>gtui login</title></head>"
    "<body><h1>{title}</h1><p>{text}</p></body></html>"
)


class LoginCancelled(GlobusError):
    """The browser came back with an OAuth error (e.g. the user declined consent)."""


class LocalServerCodeReceiver:
    """Receives the authorization code on `http://127.0.0.1:PORT/`."""

    def __init__(self, host: str = "127.0.0.1", path: str = "/") -> None:
        self.host = host
        self.path = path
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[tuple[str, str | None]] | None = None

    @property
    def redirect_uri(self) -> str:
        if self._server is None:
            raise RuntimeError("the receiver is not listening; call start() first")
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{self.host}:{port}{self.path}"

    async def start(self) -> str:
        """Listen and return the redirect URI to put in the authorize URL."""
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        return self.redirect_uri

    async def wait(self, timeout: float | None = None) -> tuple[str, str | None]:
        """The (code, state) the browser brought back."""
        if self._result is None:
            raise RuntimeError("the receiver is not listening; call start() first")
        return await asyncio.wait_for(asyncio.shield(self._result), timeout)

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def __aenter__(self) -> LocalServerCodeReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), 10)
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.decode("latin-1").split()
            target = urllib.parse.urlsplit(parts[1]) if len(parts) >= 2 else None
            if target is None or parts[0] != "GET" or target.path != self.path:
                await self._reply(writer, 404, "Not found", "This address only takes logins.")
                return
            query = urllib.parse.parse_qs(target.query)
            code = query.get("code", [None])[0]
            state = query.get("state", [None])[0]
            error = query.get("error", [None])[0]
            if code:
                await self._reply(
                    writer, 200, "Login complete", "You can close this tab and return to gtui."
                )
                self._settle(result=(code, state))
            elif error:
                reason = query.get("error_description", [error])[0]
                await self._reply(writer, 200, "Login cancelled", f"Globus Auth said: {reason}")
                self._settle(error=LoginCancelled(f"The login was not completed: {reason}"))
            else:
                await self._reply(writer, 400, "No code", "The redirect carried no code.")
        except (TimeoutError, ConnectionError, IndexError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _settle(
        self, *, result: tuple[str, str | None] | None = None, error: Exception | None = None
    ) -> None:
        if self._result is None or self._result.done():
            return
        if error is not None:
            self._result.set_exception(error)
        else:
            self._result.set_result(result)  # type: ignore[arg-type]

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
        body = _DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode("ascii") + body)
        await writer.drain()
