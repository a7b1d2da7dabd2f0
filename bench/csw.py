"""Benchmark: publishing ISO 19139 records to a real local pycsw 2.6.2 and harvesting them with udata's own
``csw-iso-19139`` harvester (data.gouv.fr's software), to size a catalogue's nightly run.

Starts pycsw (``tests/server/csw/pycsw_server.py`` in ``.venv-pycsw``), then with N records (the sample record of
``tests/server/csw/data`` given N file identifiers and titles):

1. publishes them (create: GetRecordById + Insert + read back + GetRecords each), then again (unchanged: no
   Transaction), then with a changed title (update); seconds per record for each;
2. harvests the catalogue with udata's ``csw-iso-19139`` backend (``tests/server/csw/udata_harvest.py`` in
   ``.venv-udata``, mongomock), twice (create, then update): seconds, datasets created, duplicates (must be 0).

Usage::

    .venv/bin/python bench/csw.py              # 100 records
    .venv/bin/python bench/csw.py --records 300

Exit status 0 when every record was published and harvested once (no duplicate), 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this tree's odl_geo, not the venv's

from odl_geo.http import RequestsTransport  # noqa: E402
from odl_geo.publishers.csw import CswClient, CswRecord, Outcome, publish_record  # noqa: E402
from tests.server.csw.conftest import Harvester  # noqa: E402
from tests.server.csw.process import start_pycsw, stop_pycsw  # noqa: E402

SAMPLE = REPO / "tests" / "server" / "csw" / "data" / "sample-record.xml"


def record(i: int, suffix: str = "") -> CswRecord:
    xml = SAMPLE.read_bytes().replace(b"odl-geo-test-sample", f"odl-geo-bench-{i:05d}".encode())
    return CswRecord.from_xml(xml.replace(b"(exemple)", f"(exemple {i}{suffix})".encode()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100)
    args = ap.parse_args()
    n = args.records
    ok = True
    with tempfile.TemporaryDirectory(prefix="odl-bench-csw-") as tmp:
        t = time.perf_counter()
        proc, url = start_pycsw(Path(tmp) / "pycsw", "--fix-apiso-case")
        print(f"pycsw 2.6.2 ready in {time.perf_counter() - t:.2f} s at {url}")
        try:
            client = CswClient(url, None, RequestsTransport(timeout=(5, 60)))
            for label, suffix, expected in (("create", "", Outcome.CREATED), ("unchanged", "", Outcome.UNCHANGED),
                                            ("update", " v2", Outcome.UPDATED)):  # fmt: skip
                t = time.perf_counter()
                requests = 0
                for i in range(n):
                    result = publish_record(client, record(i, suffix))
                    ok &= result.outcome is expected and result.findable is True
                    requests += result.requests
                dt = time.perf_counter() - t
                print(f"publish {label:<9} {n} records: {dt:.2f} s ({1000 * dt / n:.1f} ms/record, "
                      f"{requests / n:.0f} requests/record)")  # fmt: skip
            matched = client.search()[0]
            ok &= matched == n
            print(f"catalogue holds {matched} records (expected {n})")
            t = time.perf_counter()
            harvester = Harvester("csw-iso-19139", url, Path(tmp) / "udata.log")
            print(f"udata harvester ready in {time.perf_counter() - t:.2f} s")
            try:
                for label in ("first", "second"):
                    t = time.perf_counter()
                    job = harvester.run()
                    dt = time.perf_counter() - t
                    datasets = job["datasets"]
                    ids = {d["remote_id"] for d in datasets}
                    ok &= job["status"] == "done" and len(datasets) == n and len(ids) == n
                    print(f"harvest {label:<6} {len(datasets)} datasets ({len(datasets) - len(ids)} duplicates), "
                          f"status {job['status']}: {dt:.2f} s ({1000 * dt / n:.1f} ms/record)")  # fmt: skip
            finally:
                harvester.close()
        finally:
            stop_pycsw(proc)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
