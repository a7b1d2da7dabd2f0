"""Publish conversion outputs to GeoServer over its REST API (create-or-update, never destructive).

``endpoints`` spells the URLs, ``models`` the catalog objects, ``client`` the REST calls, ``plan`` reads what to
publish, ``publish`` runs create-or-update, ``verify`` checks the result through WMS/WFS.
"""

from __future__ import annotations

from .client import GeoServerClient
from .endpoints import Endpoints
from .models import (
    Attribution,
    BoundingBox,
    DataStore,
    FeatureType,
    Layer,
    Outcome,
    PublishRecord,
    Style,
    Workspace,
    safe_name,
    unique_names,
)
from .plan import LayerSpec, PublishOptions, PublishPlan, StoreSpec, StyleSpec, plan_publication
from .publish import DryRunTransport, PublishResult, ResourceOutcome, ensure_postgis_store, publish_plan
from .verify import LayerCheck, raise_if_failed, verify_publication

__all__ = [
    "Attribution",
    "BoundingBox",
    "DataStore",
    "DryRunTransport",
    "Endpoints",
    "FeatureType",
    "GeoServerClient",
    "Layer",
    "LayerCheck",
    "LayerSpec",
    "Outcome",
    "PublishOptions",
    "PublishPlan",
    "PublishRecord",
    "PublishResult",
    "ResourceOutcome",
    "StoreSpec",
    "Style",
    "StyleSpec",
    "Workspace",
    "ensure_postgis_store",
    "plan_publication",
    "publish_plan",
    "raise_if_failed",
    "safe_name",
    "unique_names",
    "verify_publication",
]
