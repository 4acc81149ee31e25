"""`python -m tests.apiserver` (`make apiserver`): the test server by hand, for stackctl and kubectl.

Listens on 127.0.0.1, writes a kubeconfig, prints its path, and serves until Ctrl-C:

    export KUBECONFIG=$(make -s apiserver)   # or read the path it prints
    stackctl diff; stackctl apply; .venv/bin/kubectl get crds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from tests.apiserver import ApiServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.apiserver", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--kubeconfig", type=Path, help="where to write the kubeconfig (default: a temp dir)")
    parser.add_argument(
        "--establish-delay", type=float, default=0.0, help="seconds until a CRD is Established"
    )
    parser.add_argument(
        "--rollout-delay", type=float, default=0.0, help="seconds until a Deployment is Available"
    )
    parser.add_argument(
        "--operands-ready",
        type=float,
        default=0.0,
        help="seconds until a custom resource is marked ready (negative: never, as with no operators)",
    )
    parser.add_argument("--log", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    server = ApiServer(establish_delay=args.establish_delay, rollout_delay=args.rollout_delay).start(
        args.port
    )
    path = args.kubeconfig or Path(tempfile.mkdtemp(prefix="stackctl-apiserver-")) / "kubeconfig"
    server.write_kubeconfig(path)
    print(path, flush=True)
    print(f"serving {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    stop = threading.Event()
    seen = 0
    try:
        while not stop.wait(0.2):
            if args.log:
                for req in server.requests[seen:]:
                    query = "&".join(f"{k}={v[0]}" for k, v in req.query.items())
                    print(
                        f"{req.method} {req.path}{'?' + query if query else ''} -> {req.status}",
                        file=sys.stderr,
                    )
                seen = len(server.requests)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
