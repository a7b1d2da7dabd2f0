"""PostGIS target: one table per layer in EPSG:2154, replaced atomically, skipped when unchanged.

``publish.py`` plans (inputs, names, fingerprints), ``load.py`` streams batches with COPY and swaps tables in
one transaction, ``ddl.py`` holds the SQL, ``connect.py`` the connection and the error mapping.
Needs the ``postgis`` extra (psycopg 3).
"""

from ...errors import require

require("psycopg", "postgis", "Publishing to PostGIS")  # before the modules that import it at their top

from .connect import redact_dsn  # noqa: E402
from .models import LayerPlan  # noqa: E402, LayerResult, Outcome, PostgisTarget
from .publish import PublishResult  # noqa: E402, publish_postgis

__all__ = ["LayerPlan", "LayerResult", "Outcome", "PostgisTarget", "PublishResult", "publish_postgis", "redact_dsn"]
