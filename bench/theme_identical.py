"""Identical outputs on the bundled samples: ``convert --theme`` of this tree against a git revision's.

Issue 16 asks that the streaming theme pass leave the products of the bundled samples as they were. This script
converts each bundled sample with each theme (water: the Montpellier fountains with their mapping file; hiking:
the Cévennes trails; pei: the generated SDIS fixture of ``tests/data/pei``; flood: the COVADIS PPR of Le
Bourg-d'Oisans), as is and with ``--fix --drop-invalid``, once with the revision (a ``git worktree`` of it in
``/tmp``, run by this same ``.venv`` with ``PYTHONPATH`` pointing at the worktree) and once with this tree, and
compares the output folders file by file:

* every file byte for byte (products, ``manifest.json``, ``report.json``, ``report.html``);
* when bytes differ, ``report.json`` and ``manifest.json`` again without what may change with no change to the
  data: the ``odl_geo_version`` keys, keys naming a time (``*time*``, ``*date*`` holding an ISO timestamp of a run,
  ``generated``, ``created``) and absolute paths; ``report.html`` without its footer (version and the minute of the
  run: two runs a minute apart differ there) and timestamps.

Both runs read the same copy of each sample (same path, same modification time: the flood GeoPackage's timestamp
is the source's) and write to the same output path, one after the other, so paths never differ. With
``--repeat`` this tree also runs twice, to tell a file that is not reproducible run to run from a change.

Usage::

    .venv/bin/python bench/theme_identical.py 0cc675d            # every sample, both variants
    .venv/bin/python bench/theme_identical.py 0cc675d --cases flood,water --to gpkg,geojson,csv
    .venv/bin/python bench/theme_identical.py 0cc675d --cases all    # + Geotrek export, DDT PPR samples

Exit status: 0 when every output is identical (bytes, or normalised reports), 1 when one differs, 2 when a run
cannot be set up (unknown revision, worktree not created).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: case -> (sample relative to the repository, what the theme run adds)
CASES: dict[str, tuple[str, list[str]]] = {
    "water": ("examples/water/VilleMTP_MTP_Fontaines.csv", ["--mapping", "@examples/water/fontaines.toml",
                                                            "--area", "34"]),
    "hiking": ("examples/hiking/cevennes_itineraires.json", ["--area", "occitanie"]),
    "pei": ("tests/data/pei/pei_generated_occitanie.csv", ["--source-crs", "EPSG:2154", "--area", "occitanie"]),
    "flood": ("examples/flood/PPRn_BourgOisans.zip", []),
}  # fmt: skip
#: more samples, with ``--cases all`` (or by name): the Geotrek export of the tests, and the DDT samples of the
#: shared data folder when it is there (a PPR with its N_MULTIALEA table, the largest COVADIS PPR)
SHARED = Path(os.environ.get("ODL_GEO_SHARED_DATA", "/work/shared/data"))
EXTRA_CASES: dict[str, tuple[str, str, list[str]]] = {  # case -> (theme, sample, options)
    "geotrek": ("hiking", "tests/data/geotrek/geotrek_treks.geojson", ["--area", "occitanie"]),
    "flood-multialea": ("flood", str(SHARED / "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"), []),
    "flood-20170001": ("flood", str(SHARED / "flood/ddt38_pprn_38DDT20170001_covadis/38DDT20170001.zip"), []),
}
VARIANTS = {"as-is": [], "fix": ["--fix", "--drop-invalid"]}
_RUN = "import sys; from odl_geo.cli.main import main; sys.exit(main())"
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_TIME_KEY = re.compile(r"time|date|generated|created|modified", re.IGNORECASE)


@dataclass
class Compared:
    case: str
    variant: str
    file: str
    result: str  # "bytes", "normalised", "DIFFERENT", "only in REF", "only in this tree"
    detail: str = ""


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def worktree(rev: str) -> Path:
    """A detached worktree of ``rev`` of this run's own in /tmp: two comparisons running at once each remove only
    their own when they end (a shared one was removed under the other run, whose reference runs then failed)."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    path = Path(tempfile.mkdtemp(prefix=f"odl-geo-ref-{sha[:12]}-")) / "tree"
    _git("worktree", "prune")
    _git("worktree", "add", "--detach", str(path), sha)
    return path


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8"}


def _check_import(tree: Path) -> None:
    """The run must import ``odl_geo`` from ``tree`` (not the editable install of the main checkout)."""
    probe = [sys.executable, "-c", "import odl_geo; print(odl_geo.__file__)"]
    done = subprocess.run(probe, env=_env(tree), cwd=tempfile.gettempdir(), check=True, capture_output=True, text=True)
    found = done.stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        sys.exit(f"PYTHONPATH={tree} imports odl_geo from {found}: cannot compare")


def convert(tree: Path, src: Path, extra: list[str], out: Path) -> int:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-c", _RUN, "convert", str(src), "--out", str(out), "-q", *extra]
    done = subprocess.run(cmd, env=_env(tree), cwd=out.parent, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 2):  # 2: a documented refusal (not publishable): its report is still compared
        print(f"    {tree.name}: exit {done.returncode}\n    {done.stderr.strip()[-800:]}", file=sys.stderr)
    return done.returncode


def _normalise(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: _normalise(v)
            for k, v in value.items()
            if k != "odl_geo_version" and not (_TIME_KEY.search(k) and isinstance(v, str) and _STAMP.match(v))
        }
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str) and value.startswith(("/tmp/", str(REPO))):
        return Path(value).name
    return value


def _first_difference(a: object, b: object, where: str = "") -> str:
    if type(a) is not type(b):
        return f"{where or '/'}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}/{key}: only in {'this tree' if key in b else 'the revision'}"
            if a[key] != b[key]:
                return _first_difference(a[key], b[key], f"{where}/{key}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    return f"{where}: {str(a)[:80]!r} vs {str(b)[:80]!r}"


def compare_file(ref: Path, cur: Path) -> tuple[str, str]:
    a, b = ref.read_bytes(), cur.read_bytes()
    if a == b:
        return "bytes", ""
    if ref.suffix == ".json":
        ja, jb = _normalise(json.loads(a)), _normalise(json.loads(b))
        return ("normalised", "") if ja == jb else ("DIFFERENT", _first_difference(ja, jb))
    if ref.suffix == ".html":
        # the footer says the version and the minute of the run (``2026-12-06 12:53 UTC``)
        stamp = rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?[^<\s]*( UTC)?"
        volatile = re.compile(rb"<footer>.*?</footer>|" + stamp, re.DOTALL)
        if volatile.sub(b"", a) == volatile.sub(b"", b):
            return "normalised", ""
    if ref.suffix in {".csv", ".geojson", ".json", ".html", ".xml", ".jsonld", ".txt"}:
        la, lb = a.splitlines(), b.splitlines()
        line = next((i for i, (x, y) in enumerate(zip(la, lb, strict=False)) if x != y), min(len(la), len(lb)))
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        around = slice(max(at - 40, 0), at + 40)
        return "DIFFERENT", (f"line {line + 1} ({len(la)} vs {len(lb)} lines, {len(a)} vs {len(b)} bytes): "
                             f"{a[around]!r} vs {b[around]!r}")  # fmt: skip
    return "DIFFERENT", f"{len(a)} vs {len(b)} bytes"


def compare_dirs(case: str, variant: str, ref: Path, cur: Path, label: str) -> list[Compared]:
    names = sorted({p.name for p in ref.iterdir()} | {p.name for p in cur.iterdir()})
    rows = []
    for name in names:
        if not (ref / name).exists():
            rows.append(Compared(case, variant, name, "only in this tree"))
        elif not (cur / name).exists():
            rows.append(Compared(case, variant, name, f"only in {label}"))
        else:
            rows.append(Compared(case, variant, name, *compare_file(ref / name, cur / name)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rev", help="git revision to compare with (e.g. 0cc675d)")
    ap.add_argument("--cases", default=",".join(CASES), help=f"among {', '.join([*CASES, *EXTRA_CASES])}, or all")
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"among {', '.join(VARIANTS)}")
    ap.add_argument("--to", help="--to FORMATS of every run (default: convert's own default)")
    ap.add_argument("--repeat", action="store_true", help="also run this tree twice (run-to-run reproducibility)")
    ap.add_argument("--keep", action="store_true", help="keep the outputs and the worktree (paths are printed)")
    args = ap.parse_args(argv)
    known = {case: (case, sample, options) for case, (sample, options) in CASES.items()}
    known.update({case: spec for case, spec in EXTRA_CASES.items() if (REPO / spec[1]).exists()})
    cases = list(known) if args.cases == "all" else args.cases.split(",")
    missing = [case for case in cases if case not in known]
    if missing:
        print(f"unknown or absent sample(s): {', '.join(missing)} (known here: {', '.join(known)})", file=sys.stderr)
        return 2
    try:
        ref_tree = worktree(args.rev)
    except subprocess.CalledProcessError as exc:
        print(f"cannot make a worktree of {args.rev}: {exc.stderr.strip()}", file=sys.stderr)
        return 2
    for tree in (ref_tree, REPO):
        _check_import(tree)
    label = args.rev
    work = Path(tempfile.mkdtemp(prefix="odl-geo-identical-"))
    rows: list[Compared] = []
    exits: list[tuple[str, str, int, int]] = []
    try:
        for case in cases:
            theme, sample, options = known[case]
            src_dir = work / "in" / case
            src_dir.mkdir(parents=True)
            src = src_dir / Path(sample).name
            shutil.copy2(REPO / sample, src)  # one copy, same path and time for both runs
            extra = ["--theme", theme, *[str(REPO / o[1:]) if o.startswith("@") else o for o in options]]
            extra += ["--to", args.to] if args.to else []
            for variant in args.variants.split(","):
                out = work / "out" / f"{case}-{variant}"
                out.parent.mkdir(parents=True, exist_ok=True)
                kept = {}
                for who, tree in [(label, ref_tree), ("this tree", REPO)] + ([("again", REPO)] if args.repeat else []):
                    code = convert(tree, src, [*extra, *VARIANTS[variant]], out)
                    moved = work / who.replace(" ", "-") / out.name
                    moved.parent.mkdir(parents=True, exist_ok=True)
                    if out.exists():
                        out.rename(moved)
                    else:
                        moved.mkdir()
                    kept[who] = (moved, code)
                (ref_out, ref_code), (cur_out, cur_code) = kept[label], kept["this tree"]
                exits.append((case, variant, ref_code, cur_code))
                found = compare_dirs(case, variant, ref_out, cur_out, label)
                if args.repeat:
                    unstable = {c.file for c in compare_dirs(case, variant, cur_out, kept["again"][0], "run 1")
                                if c.result not in ("bytes", "normalised")}  # fmt: skip
                    for c in found:
                        if c.file in unstable:
                            c.detail = (c.detail + "; " if c.detail else "") + "differs run to run in this tree too"
                rows += found
                same = sum(c.result in ("bytes", "normalised") for c in found)
                print(f"  {case:<7} {variant:<6} exit {ref_code}/{cur_code}: {same}/{len(found)} files identical",
                      flush=True)  # fmt: skip
    finally:
        if args.keep:
            print(f"outputs kept in {work}; worktree {ref_tree}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            subprocess.run(["git", "worktree", "remove", "--force", str(ref_tree)], cwd=REPO, check=False,
                           capture_output=True)  # fmt: skip
            shutil.rmtree(ref_tree.parent, ignore_errors=True)
    print(f"\n| sample | variant | exit ({label} / this tree) | files | identical bytes | identical reports "
          f"(normalised) | different |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for case, variant, ref_code, cur_code in exits:
        mine = [c for c in rows if (c.case, c.variant) == (case, variant)]
        diff = [c.file for c in mine if c.result not in ("bytes", "normalised")]
        print(f"| {case} | {variant} | {ref_code} / {cur_code} | {len(mine)} | "
              f"{sum(c.result == 'bytes' for c in mine)} | {sum(c.result == 'normalised' for c in mine)} | "
              f"{', '.join(diff) or 'none'} |")  # fmt: skip
    bad = [c for c in rows if c.result not in ("bytes", "normalised")]
    if bad:
        print("\nDifferences:")
        for c in bad:
            print(f"  {c.case} {c.variant} {c.file}: {c.result} {c.detail}")
    return 1 if bad or any(r != c for _, _, r, c in exits) else 0


if __name__ == "__main__":
    sys.exit(main())
