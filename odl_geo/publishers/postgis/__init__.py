"""PostGIS target: one table per layer in EPSG:2154, replaced atomically, skipped when unchanged.

``publish.py`` plans (inputs, names, fingerprints), ``load.py`` streams batches with COPY and swaps tables in
one transaction, ``ddl.py`` holds the SQL, ``connect.py`` the connection and the error mapping.
Needs the ``postgis`` extra (psycopg 3).
"""

from ...errors import require

# before the modules that import it at their top
require("psycopg", "postgis", "Publishing to PostGIS", "La publication dans PostGIS")

from .connect import redact_dsn  # noqa: E402
from .models import LayerPlan, LayerResult, Outcome, PostgisTarget  # noqa: E402
from .publish import PublishResult, publish_postgis  # noqa: E402

__all__ = ["LayerPlan", "LayerResult", "Outcome", "PostgisTarget", "PublishResult", "publish_postgis", "redact_dsn"]
