"""The ``mle-explorer`` console script: serve the app locally and open it in the browser.

The server's limits are set here, explicitly, rather than left to Bokeh's and Tornado's defaults:

* it listens on ``localhost`` only, unless ``--address`` says otherwise;
* browsers may open the app's websocket only from the pages it serves itself (this address, ``localhost``
  and ``127.0.0.1`` on its port) and from the origins ``--allow-websocket-origin`` adds;
* a websocket message from a browser may be at most ``WEBSOCKET_MAX_MESSAGE_BYTES`` (Bokeh's default is
  20 MB): the largest a browser needs to send is one piece of an uploaded file
  (``app.data_io.UPLOAD_CHUNK_BYTES``), or the typing box's 200,000 characters;
* a request's head (request line and headers, so a shared link's URL) may be at most ``MAX_HEADER_BYTES``:
  enough for the app to read an over-long link and say so rather than the connection being dropped;
  a request body (the app takes none) at most ``MAX_BODY_BYTES``;
* a session whose page is gone is freed after ``UNUSED_SESSION_LIFETIME_MS``.
"""

from __future__ import annotations

import argparse

DEFAULT_PORT = 5006
#: The largest websocket message accepted from a browser: four pieces of an upload (1 MB each), with room
#: for the encoding; the typing box's longest text is 200,000 characters.
WEBSOCKET_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
#: The largest request head: a 100 kB link reaches the app (which refuses it with a notice) both in the page's
#: request and in its websocket's, which repeats the query in the URL and in the session token.
MAX_HEADER_BYTES = 512 * 1024
#: The largest request body (the app's requests have none; Tornado's default is 100 MB).
MAX_BODY_BYTES = 1024 * 1024
#: How long a session without a connected page is kept, and how often they are looked for (Bokeh's values).
UNUSED_SESSION_LIFETIME_MS = 15_000
CHECK_UNUSED_SESSIONS_MS = 17_000


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mle-explorer", description=main.__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument(
        "--address", default="localhost", help="address to bind (default localhost: only this computer)"
    )
    parser.add_argument(
        "--allow-websocket-origin",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="also accept pages served under this host, e.g. the address students type (repeatable)",
    )
    parser.add_argument(
        "--num-procs", type=int, default=1, help="worker processes (default 1; more for a large class, not Windows)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    return parser.parse_args(argv)


def server_options(args: argparse.Namespace) -> dict:
    """The keyword arguments ``pn.serve`` gets for ``args`` (besides the app): address, origins and limits."""
    own = [f"{args.address}:{args.port}", f"localhost:{args.port}", f"127.0.0.1:{args.port}"]
    origins = list(dict.fromkeys([*own, *args.allow_websocket_origin]))
    return {
        "port": args.port,
        "address": args.address,
        "websocket_origin": origins,
        "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
        "http_server_kwargs": {"max_header_size": MAX_HEADER_BYTES, "max_body_size": MAX_BODY_BYTES},
        "unused_session_lifetime_milliseconds": UNUSED_SESSION_LIFETIME_MS,
        "check_unused_sessions_milliseconds": CHECK_UNUSED_SESSIONS_MS,
        "num_procs": args.num_procs,
    }


def main(argv: list[str] | None = None) -> None:
    """Serve MLE Explorer on localhost (every browser tab gets its own session)."""
    args = parse_arguments(argv)

    import panel as pn

    from .explorer import create_app

    print(f"MLE Explorer at http://{args.address}:{args.port}/  (Ctrl+C to stop)")
    pn.serve({"/": create_app}, **server_options(args), show=not args.no_browser, title="MLE Explorer")


if __name__ == "__main__":
    main()
