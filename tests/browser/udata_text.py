#!/usr/bin/env python3
"""Start tests/server/datagouv/udata_server.py (the real udata of the test suite) with MongoDB's ``$text``.

udata's ``GET /api/1/datasets/?q=`` runs a MongoDB text search; the suite's udata runs on mongomock, which does
not implement ``$text`` (a 500). This launcher, run in ``.venv-udata`` like the server itself, gives mongomock a
plain text search before starting the unchanged server: every word of the query must occur (case and accents
ignored) in the dataset's title (udata indexes "$title" only), as MongoDB's AND of quoted words. Only the
database double changes; udata's handlers, filters, paging and answers are the real ones. (Sorting by text
score is not emulated: the catalogue always sends ``sort=-last_update``.)
"""

import re
import runpy
import sys
import unicodedata
from pathlib import Path

from mongomock import collection, filtering

_apply = filtering._Filterer.apply


def _fold(text: object) -> str:
    s = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", s)


def _apply_with_text(self, search_filter, document):
    if isinstance(search_filter, dict) and "$text" in search_filter:
        rest = {k: v for k, v in search_filter.items() if k != "$text"}
        query = search_filter["$text"].get("$search", "")
        words = [_fold(w) for w in re.findall(r'"([^"]+)"|(\S+)', query) for w in w if w]
        haystack = _fold(document.get("title"))
        if not all(w in haystack for w in words):
            return False
        return _apply(self, rest, document) if rest else True
    return _apply(self, search_filter, document)


_find = collection.Collection.find


def _find_without_text_score(self, filter=None, projection=None, *args, **kwargs):
    # mongoengine's search_text() asks for {"_text_score": {"$meta": "textScore"}}: not a stored field, dropped
    if isinstance(projection, dict):
        projection = {k: v for k, v in projection.items() if not (isinstance(v, dict) and "$meta" in v)} or None
    return _find(self, filter, projection, *args, **kwargs)


filtering._Filterer.apply = _apply_with_text
collection.Collection.find = _find_without_text_score

if __name__ == "__main__":
    server = Path(__file__).resolve().parents[1] / "server" / "datagouv" / "udata_server.py"
    sys.argv[0] = str(server)
    runpy.run_path(str(server), run_name="__main__")
