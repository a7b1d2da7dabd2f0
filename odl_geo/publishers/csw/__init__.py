"""Publish ISO 19139 records to a CSW catalogue (pycsw, GeoNetwork) with CSW-T, create-or-update by file identifier.

``endpoints`` spells the requests, ``models`` the records and payloads, ``client`` the calls over the project's
Transport, ``publish`` plans create-or-update and checks that the record can be found.
"""

from __future__ import annotations

from .client import CswClient
from .endpoints import Endpoints
from .models import CRS84, CswRecord, ExceptionReport, FoundRecord, Outcome, TransactionSummary
from .publish import METADATA_FILE, CswPublishResult, load_record, publish_record

__all__ = [
    "CRS84",
    "METADATA_FILE",
    "CswClient",
    "CswPublishResult",
    "CswRecord",
    "Endpoints",
    "ExceptionReport",
    "FoundRecord",
    "Outcome",
    "TransactionSummary",
    "load_record",
    "publish_record",
]
