"""Publish to data.gouv.fr (or any udata) through its API v1: typed client + idempotent publisher.

The names below are imported from their module on first use (PEP 562): the command line registers
``publish datagouv`` in every command, and the HTTP stack (``requests``, about 6 MB) is for a publication only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lazy import lazy_attributes

if TYPE_CHECKING:
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

#: name -> module of this package that defines it
_WHERE = {
    **dict.fromkeys(("API_KEY_ENV", "DEFAULT_CHUNK_SIZE", "DatagouvClient", "UploadJournal", "file_digest"), "client"),
    **dict.fromkeys(("DEMO_URL", "PRODUCTION_URL", "Endpoints"), "endpoints"),
    **dict.fromkeys(
        ("Dataset", "DatasetSpec", "Organization", "Outcome", "RemoteResourceSpec", "Resource", "ResourceMeta"),
        "models",
    ),
    **dict.fromkeys(("SchemaRef", "Spatial", "TemporalCoverage"), "models"),
    **dict.fromkeys(("PublishOptions", "PublishResult", "Step", "describe_outputs", "publish_outputs"), "publish"),
}


__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, __all__)
