"""Run the demo platform alone: `python -m lti_tool.demo --tool-url http://127.0.0.1:5000`."""

from __future__ import annotations

import argparse
import sys
import time

from .platform import demo_sites, serve_platform


def main(argv: list[str] | None = None) -> int:
    """Serve the two demo Moodle sites until interrupted; print where to open them."""
    parser = argparse.ArgumentParser(prog="python -m lti_tool.demo",
                                     description="Moodle-like LTI 1.3 demo platform")
    parser.add_argument("--tool-url", required=True,
                        help="base URL of the running tool, e.g. http://127.0.0.1:5000")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    args = parser.parse_args(argv)
    if "://" not in args.tool_url:
        print(f"--tool-url: {args.tool_url!r} is not a URL (http://host:port)", file=sys.stderr)
        return 2
    try:
        running = serve_platform(demo_sites(args.tool_url), host=args.host, port=args.port)
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 2
    print(f"Demo platform: {running.url}/  (Ctrl+C to stop)")
    for site in running.sites.values():
        print(f"  {site.name}: issuer {site.issuer}, client_id {site.client_id}, "
              f"deployment_id {site.deployment_id}, keyset {site.certs_url}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
