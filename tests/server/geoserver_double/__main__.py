"""``python -m tests.server.geoserver_double``: start the GeoServer REST test double in this process."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path

from .server import serve


def main() -> None:
    p = argparse.ArgumentParser(description="GeoServer REST test double (not GeoServer).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    p.add_argument("--data-dir", help="where uploads are stored (default: a temporary folder)")
    p.add_argument("--user", default="admin")
    p.add_argument(
        "--password-env",
        default="GEOSERVER_DOUBLE_PASSWORD",
        help="environment variable holding the admin password (not an argument: ps would show it)",
    )
    p.add_argument("--reader-user", help="an extra account without the ADMIN role (REST answers 403)")
    p.add_argument("--reader-password-env", default="GEOSERVER_DOUBLE_READER_PASSWORD")
    p.add_argument(
        "--geoserver-version",
        default="2.26.2",
        help="behave like this GeoServer where the contract says versions differ (§9): < 2.19 answers 401 to a "
        "duplicate workspace POST, >= 3.0 answers 404 to trailing slashes (default 2.26.2)",
    )
    args = p.parse_args()
    password = os.environ.get(args.password_env)
    if not password:
        sys.exit(f"set {args.password_env} to the password the double should accept")
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="geoserver-double-"))

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    reader_pw = os.environ.get(args.reader_password_env)
    reader = (args.reader_user, reader_pw) if args.reader_user and reader_pw else None
    announce = lambda url: print(f"LISTENING {url}", flush=True)  # noqa: E731
    version = tuple(int(x) for x in args.geoserver_version.split("."))
    serve(args.host, args.port, data_dir, args.user, password, announce, reader, version)


if __name__ == "__main__":
    main()
