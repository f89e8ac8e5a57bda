"""The ``mle-explorer`` console script: serve the app locally and open it in the browser."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    """Serve MLE Explorer on localhost (every browser tab gets its own session)."""
    parser = argparse.ArgumentParser(prog="mle-explorer", description=main.__doc__)
    parser.add_argument("--port", type=int, default=5006, help="port to listen on (default 5006)")
    parser.add_argument(
        "--address", default="localhost", help="address to bind (default localhost: only this computer)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    args = parser.parse_args(argv)

    import panel as pn

    from app.explorer import create_app

    origin = f"{args.address}:{args.port}"
    print(f"MLE Explorer at http://{origin}/  (Ctrl+C to stop)")
    pn.serve(
        {"/": create_app},
        port=args.port,
        address=args.address,
        websocket_origin=[origin, f"localhost:{args.port}", f"127.0.0.1:{args.port}"],
        show=not args.no_browser,
        title="MLE Explorer",
    )


if __name__ == "__main__":
    main()
