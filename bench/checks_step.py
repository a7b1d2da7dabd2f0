"""The CPU of a streamed theme run's checks step alone, replayed from the chunks a real run gave it.

A theme run's timings mix reading, conforming, validation and writing with the checks; at the loads of a shared
machine their spread hides what the checks save. This script first runs ``convert --theme`` once and pickles
every chunk ``theme.run._check_layer`` receives (``capture``), then replays them (``replay``): for each chunk the
checks, the fixes, the checks again (``_check_layer``), ``commit_chunk`` and ``settle`` with one carry, as
``theme.stream`` does, then ``finish_checks``; it prints the CPU time of each repeat (``time.process_time``: every
thread of the process, the checks' pool included) and the best. Run ``replay`` with another tree on
``PYTHONPATH`` (a ``git worktree``) to compare two trees on the same chunks.

Usage::

    .venv/bin/python bench/checks_step.py capture /tmp/cap_water_1M -- convert bench/.data/water_1M_v2.csv \\
        --out /tmp/out --to csv --theme water --mapping examples/water/fontaines.toml --area 34 --fix --drop-invalid
    .venv/bin/python bench/checks_step.py replay /tmp/cap_water_1M --repeat 3
    PYTHONPATH=/tmp/base .venv/bin/python bench/checks_step.py replay /tmp/cap_water_1M --repeat 3
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path


def capture(folder: Path, argv: list[str]) -> int:
    from odl_geo.cli.main import main
    from odl_geo.theme import stream

    folder.mkdir(parents=True, exist_ok=True)
    original = stream._check_layer
    count = 0

    def keep(role, frame, layer, profile, spec, options, area, report, feedback, offset=0, carry=None, **kw):  # type: ignore[no-untyped-def]
        nonlocal count
        chunk = {"role": role, "frame": frame, "layer": layer, "offset": offset, "theme": profile.key,
                 "area": options.area, "fix": options.fix, "drop_invalid": options.drop_invalid}  # fmt: skip
        with (folder / f"chunk_{count:05d}.pkl").open("wb") as f:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        count += 1
        return original(role, frame, layer, profile, spec, options, area, report, feedback, offset=offset,
                        carry=carry, **kw)  # fmt: skip

    stream._check_layer = keep  # type: ignore[assignment]
    code = main(argv)
    print(f"{count} chunk(s) captured in {folder}", file=sys.stderr)
    return code


def replay(folder: Path, repeat: int) -> int:
    from odl_geo.checks._carry import settle
    from odl_geo.checks.areas import resolve_area
    from odl_geo.checks.registry import CheckContext
    from odl_geo.checks.runner import commit_chunk, finish_checks, layer_carry, load_checks
    from odl_geo.feedback import NullFeedback
    from odl_geo.profiles.registry import load_profile
    from odl_geo.report import Report
    from odl_geo.theme import ThemeOptions
    from odl_geo.theme.run import _check_layer, _spec

    chunks = []
    for path in sorted(folder.glob("chunk_*.pkl")):
        with path.open("rb") as f:
            chunks.append(pickle.load(f))
    if not chunks:
        print(f"no chunk in {folder}", file=sys.stderr)
        return 2
    load_checks()
    first = chunks[0]
    profile = load_profile(first["theme"])
    spec = _spec(profile, first["role"])
    options = ThemeOptions(fix=first["fix"], drop_invalid=first["drop_invalid"], area=first["area"])
    area = resolve_area(first["area"]) if first["area"] else None
    spent = []
    for _ in range(repeat):
        spill = Path(tempfile.mkdtemp(prefix="odl-geo-checks-step-"))
        try:
            carry = layer_carry(spill)
            start = time.process_time()
            for c in chunks:
                result = _check_layer(c["role"], c["frame"], c["layer"], profile, spec, options, area, Report(),
                                      NullFeedback(), offset=c["offset"], carry=carry)  # fmt: skip
                assert result.context is not None
                commit_chunk(result.context, profile.key)
                settle(carry)
            end = CheckContext(first["frame"].iloc[:0], first["layer"][0], profile, spec, carry=carry)
            finish_checks(end, profile.key)
            spent.append(time.process_time() - start)
        finally:
            shutil.rmtree(spill, ignore_errors=True)
    rows = sum(len(c["frame"]) for c in chunks)
    print(f"{len(chunks)} chunks, {rows:,} rows: CPU s " + " ".join(f"{s:.2f}" for s in spent)
          + f" | best {min(spent):.2f}")  # fmt: skip
    return 0


def main() -> int:
    argv = sys.argv[1:]
    rest: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, rest = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("capture", "replay"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.action == "capture":
        return capture(args.folder, rest)
    return replay(args.folder, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
