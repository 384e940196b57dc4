"""Exit 0 when the app process on PORT answers its health check (GET /_ipoverseas/health: the
database answers and its migrations are current), else 1. `--wait S`: keep asking for S seconds.

The same check for systemd (ExecStartPost of ipoverseas@.service) and compose (healthcheck):
    python deploy/healthcheck.py 8501 [--wait 90]
Standard library only, so it runs in any image.
"""

import argparse
import sys
import time
import urllib.request


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_ipoverseas/health", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--wait", type=float, default=0, help="seconds to keep asking (default: ask once)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.wait
    while not healthy(args.port):
        if time.monotonic() >= deadline:
            print(f"app on port {args.port}: not healthy", file=sys.stderr)
            return 1
        time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
