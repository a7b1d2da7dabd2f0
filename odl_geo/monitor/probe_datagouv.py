"""data.gouv.fr probes: the dataset and its resources as odl-geo published them, through udata's public API.

- the dataset answers and is public (or private) as the job intended, not deleted;
- it is fresh for its declared frequency (:mod:`.freshness`, udata's own rule);
- each resource odl-geo sent is still there; its URL answers (HEAD, or a one-byte ranged GET when HEAD is
  refused); udata's checksum is the sha1 of the file odl-geo sent, and a download (bounded: resources up to
  ``Budget.max_download`` bytes, at most ``Budget.max_downloads`` per run) has that sha1 too;
- the schema product, downloaded, still validates against its national schema (:mod:`.schema_check`).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NetworkError
from ..publishers.datagouv.endpoints import Endpoints
from .freshness import freshness
from .model import FAILED, OK, SKIPPED, Probe
from .schema_check import is_schema_product, validate_product

if TYPE_CHECKING:
    from datetime import datetime

    from ..credentials import Credentials
    from .model import ProbeHttp
    from .targets import Publication

__all__ = ["probe_datagouv"]


def probe_datagouv(pub: Publication, http: ProbeHttp, auth: Credentials | None, theme: str,
                   now: datetime | None = None) -> list[Probe]:  # fmt: skip
    rec, ds = pub.record, pub.dataset
    ep = Endpoints(str(rec["url"]))
    dataset_url = ep.dataset(str(rec["dataset_id"]))
    url = http.url_of(dataset_url)
    resources = [r for r in rec.get("resources") or [] if r.get("id")]
    try:
        resp, seconds = http.send("GET", dataset_url, auth=auth)
    except NetworkError as exc:
        return [Probe(ds, "datagouv", "dataset", str(rec.get("slug")), FAILED,
                      f"server down or unreachable: {exc.message}", url, float(getattr(exc, "seconds", 0.0))),
                *_skipped(ds, resources, "data.gouv.fr did not answer")]  # fmt: skip
    data = resp.json() if resp.status == 200 else None
    target = str(rec.get("slug") or rec["dataset_id"])
    if resp.status in (404, 410) or (isinstance(data, dict) and data.get("deleted")):
        return [Probe(ds, "datagouv", "dataset", target, FAILED,
                      f"the dataset {target} is deleted or gone from {ep.site} (HTTP {resp.status})", url, seconds),
                *_skipped(ds, resources, "the dataset is gone")]  # fmt: skip
    if not isinstance(data, dict):
        return [Probe(ds, "datagouv", "dataset", target, FAILED,
                      f"the dataset page answered HTTP {resp.status}: {http.say(resp.text)}", url, seconds),
                *_skipped(ds, resources, "the dataset could not be read")]  # fmt: skip
    intended = bool(rec.get("private"))
    private = bool(data.get("private"))
    probes = [Probe(ds, "datagouv", "dataset", target, OK if private == intended else FAILED,
                    (f"the dataset is {'private' if private else 'public'}, as intended" if private == intended
                     else f"the dataset is {'private' if private else 'public'}, the job made it "
                          f"{'private' if intended else 'public'}"), url, seconds)]  # fmt: skip
    fresh, why = freshness(str(data.get("frequency") or rec.get("frequency") or "unknown"),
                           data.get("last_update"), now)  # fmt: skip
    probes.append(Probe(ds, "datagouv", "fresh", target, OK if fresh else FAILED, why, url, 0.0))
    by_id = {r.get("id"): r for r in data.get("resources") or [] if isinstance(r, dict)}
    for rec_res in resources:
        probes += _resource(ds, rec_res, by_id.get(rec_res["id"]), http, theme, url)
    return probes


def _resource(ds: str, rec: dict[str, Any], remote: dict[str, Any] | None, http: ProbeHttp, theme: str,
              dataset_url: str) -> list[Probe]:  # fmt: skip
    name = str(rec.get("name") or rec["id"])
    if remote is None:
        return [Probe(ds, "datagouv", "resource", name, FAILED,
                      f"the resource {name} was deleted from the dataset on data.gouv.fr", dataset_url),
                *[Probe(ds, "datagouv", c, name, SKIPPED, "not checked: the resource is gone")
                  for c in _checks_of(rec, theme)]]  # fmt: skip
    file_url = str(remote.get("url") or "")
    probes = [
        Probe(ds, "datagouv", "resource", name, OK, "the resource is in the dataset", dataset_url),
        _answers(ds, name, file_url, http),
    ]
    if rec.get("remote") or not rec.get("sha1"):
        return probes
    checksum = remote.get("checksum") or {}
    remote_sha1 = checksum.get("value") if str(checksum.get("type", "")).lower() == "sha1" else None
    if remote_sha1 and remote_sha1 != rec["sha1"]:
        probes.append(Probe(ds, "datagouv", "checksum", name, FAILED,
                            f"changed on data.gouv.fr: its sha1 is {remote_sha1[:12]}…, odl-geo sent "
                            f"{rec['sha1'][:12]}…", dataset_url))  # fmt: skip
        body = None
    else:
        body, probe = _download(ds, name, file_url, remote, rec, http)
        probes.append(probe)
    label = is_schema_product(name, theme)
    if label:
        probes.append(_schema(ds, name, label, theme, body, file_url, http))
    return probes


def _checks_of(rec: dict[str, Any], theme: str) -> list[str]:
    checks = ["url"]
    if rec.get("sha1"):
        checks.append("checksum")
    if is_schema_product(str(rec.get("name") or ""), theme):
        checks.append("schema")
    return checks


def _answers(ds: str, name: str, file_url: str, http: ProbeHttp) -> Probe:
    """HEAD the file; a server refusing HEAD (405, 501) gets a one-byte ranged GET."""
    url = http.url_of(file_url)
    try:
        resp, seconds = http.send("HEAD", file_url)
        how = "HEAD"
        if resp.status in (403, 405, 501):
            resp, more = http.send("GET", file_url, headers={"Range": "bytes=0-0"})
            seconds, how = seconds + more, "ranged GET"
    except NetworkError as exc:
        return Probe(ds, "datagouv", "url", name, FAILED, f"the file does not answer: {exc.message}", url,
                     float(getattr(exc, "seconds", 0.0)))  # fmt: skip
    if resp.status in (200, 206):
        return Probe(ds, "datagouv", "url", name, OK, f"the file answers {how} (HTTP {resp.status})", url, seconds)
    return Probe(ds, "datagouv", "url", name, FAILED, f"the file answers {how} with HTTP {resp.status}", url,
                 seconds)  # fmt: skip


def _download(ds: str, name: str, file_url: str, remote: dict[str, Any], rec: dict[str, Any],
              http: ProbeHttp) -> tuple[bytes | None, Probe]:  # fmt: skip
    url = http.url_of(file_url)
    size = remote.get("filesize") or rec.get("size") or 0
    if size and size > http.budget.max_download:
        return None, Probe(
            ds,
            "datagouv",
            "checksum",
            name,
            OK,
            f"udata's sha1 is the one odl-geo sent (not downloaded: {size} bytes > limit)",
            url,
        )
    if http.downloads >= http.budget.max_downloads:
        return None, Probe(
            ds,
            "datagouv",
            "checksum",
            name,
            OK,
            "udata's sha1 is the one odl-geo sent (download sampled out this run)",
            url,
        )
    http.downloads += 1
    try:
        resp, seconds = http.send("GET", file_url)
    except NetworkError as exc:
        return None, Probe(ds, "datagouv", "checksum", name, FAILED, f"download failed: {exc.message}", url,
                           float(getattr(exc, "seconds", 0.0)))  # fmt: skip
    if resp.status != 200:
        return None, Probe(ds, "datagouv", "checksum", name, FAILED, f"download answered HTTP {resp.status}", url,
                           seconds)  # fmt: skip
    got = hashlib.sha1(resp.body, usedforsecurity=False).hexdigest()
    if got != rec["sha1"]:
        return resp.body, Probe(ds, "datagouv", "checksum", name, FAILED,
                                f"the file served differs from what odl-geo sent (sha1 {got[:12]}… instead of "
                                f"{rec['sha1'][:12]}…)", url, seconds)  # fmt: skip
    return resp.body, Probe(ds, "datagouv", "checksum", name, OK,
                            f"downloaded {len(resp.body)} bytes, sha1 as sent", url, seconds)  # fmt: skip


def _schema(ds: str, name: str, label: str, theme: str, body: bytes | None, file_url: str,
            http: ProbeHttp) -> Probe:  # fmt: skip
    url = http.url_of(file_url)
    if body is None:
        return Probe(ds, "datagouv", "schema", name, SKIPPED, "not checked: the file was not downloaded", url)
    with tempfile.TemporaryDirectory(prefix="odl-geo-monitor-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(body)
        errors = validate_product(path, theme)
    if errors:
        return Probe(
            ds,
            "datagouv",
            "schema",
            name,
            FAILED,
            f"no longer valid against {label}: " + "; ".join(http.say(e) for e in errors),
            url,
        )
    return Probe(ds, "datagouv", "schema", name, OK, f"valid against {label}", url)


def _skipped(ds: str, resources: list[dict[str, Any]], why: str) -> list[Probe]:
    return [Probe(ds, "datagouv", "resource", str(r.get("name") or r["id"]), SKIPPED, f"not checked: {why}")
            for r in resources]  # fmt: skip
