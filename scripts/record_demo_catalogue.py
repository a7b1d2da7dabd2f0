#!/usr/bin/env python3
"""Record the data.gouv.fr API answer that ``make demo``'s catalogue shows (scripts/demo/).

``make demo`` does not start udata (it needs ``.venv-udata``, made for the tests only), so its page lists a
**recorded** answer, served locally and labelled as such on the page and in the terminal. This script makes that
recording honestly: it starts the real local udata of the tests (``tests/server/datagouv/udata_server.py``),
publishes the three demo outputs to it with ``odl-geo publish datagouv``, asks
``GET /api/1/datasets/?organization=<id>&sort=-last_update&page_size=10`` as the component does, and writes the
answer unchanged, plus an ``odl_geo_recorded`` key saying where and when it comes from (the component ignores it).

    .venv/bin/python scripts/record_demo_catalogue.py [OUT]     # OUT: the demo's output folder (default out/)

The links in the recording point to the local udata of the recording, which is gone afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "scripts" / "demo" / "catalogue-enregistre" / "api" / "1" / "datasets.json"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "out")
    udata_python = REPO / ".venv-udata" / "bin" / "python"
    if not udata_python.exists():
        print(f"{udata_python} is missing: run scripts/setup_udata.sh first.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="odl-udata-") as work:
        proc = subprocess.Popen(
            [str(udata_python), str(REPO / "tests/server/datagouv/udata_server.py"), "--port", "0", "--print-token",
             "--data-dir", f"{work}/data"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=work,
        )  # fmt: skip
        try:
            info: dict[str, str] = {}
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("READY"):
                    break
                key, _, value = line.strip().partition("=")
                info[key] = value
            site = info["BASE_URL"].removesuffix("/api/1")
            env = {**os.environ, "ODL_DATAGOUV_API_KEY": info["API_KEY"]}
            for theme in ("hiking", "water", "flood"):
                cmd = [str(REPO / ".venv/bin/odl-geo"), "publish", "datagouv", str(out / theme), "--org",
                       info["ORG_SLUG"], "--url", site, "--tag", "odl-geo", "-q"]  # fmt: skip
                subprocess.run(cmd, env=env, check=True)
            query = f"organization={info['ORG_ID']}&sort=-last_update&page=1&page_size=10"
            with urllib.request.urlopen(f"{site}/api/1/datasets/?{query}", timeout=60) as resp:
                answer = json.load(resp)
        finally:
            proc.terminate()
            proc.wait(10)
    answer["odl_geo_recorded"] = {
        "what": "réponse enregistrée de l'API data.gouv.fr (udata), pas une réponse en direct",
        "from": "udata local des tests (tests/server/datagouv/udata_server.py), jeux publiés par odl-geo publish "
        "datagouv depuis les sorties de make demo",
        "request": f"GET /api/1/datasets/?{query}",
        "organization": info["ORG_ID"],
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(answer, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{TARGET}: {answer['total']} dataset(s) of organization {info['ORG_ID']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
