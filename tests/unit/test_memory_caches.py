"""``release_free_memory(caches=True)``: after a streamed pass, chardet's models (~25 MB, cached for the process's
life) are dropped before the standard formats and a forked writer; a later detection finds the same encoding."""

from __future__ import annotations

import sys

from frictionless import Detector

from odl_geo.memory import release_free_memory


def _cached_entries() -> int:
    """Entries held by the functools caches of the chardet modules imported."""
    total = 0
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("chardet"):
            continue
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if callable(info):
                total += info().currsize
    return total


def _csv() -> bytes:
    rows = "".join(f"{i};Poteau n°{i} près de l'église;Montpellier;2024-01-0{i % 9 + 1}\n" for i in range(2000))
    return ("id;nom;commune;date\n" + rows).encode("utf-8")


def test_the_pass_caches_go_and_detection_gives_the_same_encoding() -> None:
    detector = Detector()
    data = _csv()[: detector.buffer_size]
    first = detector.detect_encoding(data)
    assert _cached_entries() > 0  # the models chardet loaded for this text
    release_free_memory()  # between chunks: the caches stay (reloading them per chunk costs ~0.2 s)
    assert _cached_entries() > 0
    release_free_memory(caches=True)
    assert _cached_entries() == 0
    assert detector.detect_encoding(data) == first == "utf-8"
    latin = "id;nom\n1;Château d'eau, réservoir élevé\n".encode("cp1252") * 40
    found = detector.detect_encoding(latin[: detector.buffer_size])
    release_free_memory(caches=True)
    assert detector.detect_encoding(latin[: detector.buffer_size]) == found
