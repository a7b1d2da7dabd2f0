"""Publish to data.gouv.fr (or any udata) through its API v1: typed client + idempotent publisher."""

from __future__ import annotations

from .client import API_KEY_ENV, DEFAULT_CHUNK_SIZE, DatagouvClient, UploadJournal, file_digest
from .endpoints import DEMO_URL, PRODUCTION_URL, Endpoints
from .models import (
    Dataset,
    DatasetSpec,
    Organization,
    Outcome,
    RemoteResourceSpec,
    Resource,
    ResourceMeta,
    SchemaRef,
    Spatial,
    TemporalCoverage,
)
from .publish import PublishOptions, PublishResult, Step, describe_outputs, publish_outputs

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_CHUNK_SIZE",
    "DEMO_URL",
    "PRODUCTION_URL",
    "DatagouvClient",
    "Dataset",
    "DatasetSpec",
    "Endpoints",
    "Organization",
    "Outcome",
    "PublishOptions",
    "PublishResult",
    "RemoteResourceSpec",
    "Resource",
    "ResourceMeta",
    "SchemaRef",
    "Spatial",
    "Step",
    "TemporalCoverage",
    "UploadJournal",
    "describe_outputs",
    "file_digest",
    "publish_outputs",
]
