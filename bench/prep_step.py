"""The CPU of a streamed theme run's reading and conforming steps alone: frames, conform, anonymise.

A theme run's timings mix every step; on a shared machine their spread hides what a change to one saves. Two
measures, both in CPU seconds (``time.process_time``: every thread of the process, GDAL's read-ahead included):

* ``read SRC THEME``: the source opened and read into the chunks a theme run gets (``read_frames`` with the
  theme's normalising options: reprojection, HTML entities decoded for hiking), with the open step apart;
* ``capture FOLDER -- convert ...`` runs ``convert --theme`` once and pickles every chunk
  ``theme.stream._conform`` receives; ``replay FOLDER`` then conforms and anonymises them in order, as the pass
  does (one ``state`` for the layer), and prints each repeat's conform and anonymise CPU and the best.

Run either with another tree on ``PYTHONPATH`` (a ``git worktree``, from another directory) to compare two trees.

Usage::

    .venv/bin/python bench/prep_step.py read bench/.data/hiking_100k_v2.gpkg hiking --repeat 3
    .venv/bin/python bench/prep_step.py capture /tmp/cap_pei -- convert bench/.data/pei_theme_100k_v2.csv \\
        --out /tmp/out --to csv --theme pei --source-crs EPSG:2154 --area occitanie --fix --drop-invalid
    .venv/bin/python bench/prep_step.py replay /tmp/cap_pei --repeat 5
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path


def read(source: str, theme: str, repeat: int) -> int:
    from odl_geo.normalise.frames import CHUNK_BYTES, read_frames
    from odl_geo.profiles.registry import load_profile
    from odl_geo.report import Report
    from odl_geo.sources.opener import open_source
    from odl_geo.theme.run import ThemeOptions, _normalise_options

    profile = load_profile(theme)
    spent = []
    for _ in range(repeat):
        start = time.process_time()
        with open_source(source) as src:
            opened = time.process_time()
            layer = src.layers[0]
            options = _normalise_options(profile, layer, ThemeOptions())
            rows = sum(len(f) for f in read_frames(layer, 20_000, options, Report(), None, CHUNK_BYTES, keep_wkb=True))
        done = time.process_time()
        spent.append(done - opened)
        print(f"open {opened - start:.2f}, frames {done - opened:.2f} CPU s ({rows:,} rows)", flush=True)
    print(f"best frames {min(spent):.2f} CPU s")
    return 0


def capture(folder: Path, argv: list[str]) -> int:
    from odl_geo.cli.main import main
    from odl_geo.theme import stream

    folder.mkdir(parents=True, exist_ok=True)
    original = stream._conform
    count = 0

    def keep(profile, dataset, mapping, report, state):
        nonlocal count
        chunk = {"theme": profile.key, "dataset": dataset, "mapping": mapping, "features": state.get("layer.features")}
        with (folder / f"chunk_{count:05d}.pkl").open("wb") as f:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        count += 1
        return original(profile, dataset, mapping, report, state)

    stream._conform = keep
    code = main(argv)
    print(f"{count} chunk(s) captured in {folder}", file=sys.stderr)
    return code


def replay(folder: Path, repeat: int) -> int:
    from odl_geo.checks._common import attribute_columns
    from odl_geo.profiles.anonymise import AnonymiseOptions
    from odl_geo.profiles.registry import load_profile
    from odl_geo.report import Report
    from odl_geo.theme import stream

    chunks = []
    for path in sorted(folder.glob("chunk_*.pkl")):
        with path.open("rb") as f:
            chunks.append(pickle.load(f))
    if not chunks:
        print(f"no chunk in {folder}", file=sys.stderr)
        return 2
    profile = load_profile(chunks[0]["theme"])
    mapping = chunks[0]["mapping"]
    anon = AnonymiseOptions.build(getattr(mapping, "anonymise", None), (), None, True)  # the run's defaults
    best = float("inf")
    for _ in range(repeat):
        state = {"layer.features": chunks[0]["features"]}
        conform = anonymise = 0.0
        for c in chunks:
            dataset = c["dataset"]
            role = next(iter(dataset.frames))
            columns = {role: attribute_columns(dataset.frames[role])}
            report = Report()
            start = time.process_time()
            conformed = stream._conform(profile, dataset, mapping, report, state)
            middle = time.process_time()
            stream._anonymise(profile, conformed, anon, report, columns, state)
            conform += middle - start
            anonymise += time.process_time() - middle
        best = min(best, conform + anonymise)
        print(f"conform {conform:.3f}, anonymise {anonymise:.3f}, total {conform + anonymise:.3f} CPU s", flush=True)
    rows = sum(len(next(iter(c["dataset"].frames.values()))) for c in chunks)
    print(f"{len(chunks)} chunks, {rows:,} rows: best {best:.3f} CPU s")
    return 0


def main() -> int:
    argv = sys.argv[1:]
    rest: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, rest = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("action", choices=("read", "capture", "replay"))
    parser.add_argument("target", help="read: the source; capture, replay: the chunks' folder")
    parser.add_argument("theme", nargs="?", help="read: the theme")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.action == "read":
        if not args.theme:
            parser.error("read needs a theme")
        return read(args.target, args.theme, args.repeat)
    if args.action == "capture":
        return capture(Path(args.target), rest)
    return replay(Path(args.target), args.repeat)


if __name__ == "__main__":
    sys.exit(main())
