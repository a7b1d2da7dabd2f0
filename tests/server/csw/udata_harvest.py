#!/usr/bin/env python3
"""udata's OWN harvesters (udata 17.18, data.gouv.fr's software) run in-process on mongomock, driven over stdin.

Runs in ``.venv-udata`` (``scripts/setup_udata.sh``). Adapted from ``../shared/recipes/metadata/harvest_local.py``
(proven); the app factory, the licence seed and the JSON of a dataset are those of odl-geo's
``odl_geo/publishers/csw/udata_preview.py`` (what ``odl-geo metadata --check-harvest`` runs), loaded by path, so
that the preview and the real harvest tested here use the same udata set-up. Each harvest is
``udata.harvest.actions.run(source)``, what ``udata harvest run ID`` does.

    python udata_harvest.py --backend dcat --url http://127.0.0.1:PORT/catalog.rdf
    python udata_harvest.py --backend csw-iso-19139 --url http://127.0.0.1:PORT/csw

csw-iso-19139 fetches the ISO 19139 -> DCAT-AP XSLT named by ``HARVEST_ISO19139_XSLT_URL`` (GitHub by default,
unreachable offline; ``file://`` is refused): the same stylesheet ships inside the udata wheel, served locally.

Protocol (the database lives in this process, so the test drives it): prints ``READY``; then each ``run`` line on
stdin harvests once and prints one JSON line (the job, its items, every dataset in the database); ``quit`` ends.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "odl_geo" / "publishers" / "csw"))
import udata_preview as setup  # loaded by path: odl_geo itself is not importable in udata's venv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", required=True, choices=["dcat", "csw-iso-19139"])
    ap.add_argument("--url", required=True)
    args = ap.parse_args()
    app = setup.build_app(setup.xslt_url())
    from udata.harvest import actions
    from udata.harvest.models import HarvestSource
    from udata.models import Dataset

    with app.app_context():
        org = setup.seed("Commune de test")
        source = HarvestSource.objects.create(name=f"odl-geo {args.backend}", url=args.url, backend=args.backend,
                                              organization=org)  # fmt: skip
        print("READY", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            if command != "run":
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
                continue
            actions.run(source)
            source.reload()
            job = source.get_last_job()
            print(json.dumps({
                "status": str(job.status),
                "errors": [e.message for e in job.errors],
                "items": [{"remote_id": i.remote_id, "status": str(i.status),
                           "dataset": str(i.dataset.id) if i.dataset else None,
                           "errors": [e.message[:500] for e in i.errors]} for i in job.items],
                "datasets": [setup.dataset_json(d) for d in Dataset.objects],
            }, ensure_ascii=False, default=str), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
