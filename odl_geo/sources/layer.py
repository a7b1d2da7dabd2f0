"""What a reader hands to the rest of odl-geo: one readable layer and what was learnt opening it."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ..numbers import agree, count_text, quantity
from ..report import Issue, Report, Severity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import TracebackType

    import pyarrow as pa
    from pyproj import CRS

    from .encoding import EncodingGuess

__all__ = ["LayerSource", "ReadOptions", "Source"]


@dataclass(frozen=True)
class ReadOptions:
    """What the user can tell the readers (all optional: defaults are detected).

    :param layer: read only this layer (GeoPackage, zip, GPX...); all layers when None.
    :param source_crs: CRS to use when the file declares none or declares a wrong one.
    :param encoding: attribute encoding to use instead of the detected one.
    """

    layer: str | None = None
    source_crs: str | None = None
    encoding: str | None = None
    x_field: str | None = None
    y_field: str | None = None
    wkt_field: str | None = None
    gpx_points: bool = False  # also read GPX route_points/track_points (duplicates of routes/tracks)
    #: convert what can be read of a damaged source (a cut-off .shp, a .dbf holding fewer records than it declares)
    #: instead of refusing it; every loss is still reported (a warning naming what is missing)
    accept_loss: bool = False


@dataclass
class LayerSource:
    """A layer ready to stream: where GDAL finds it, how to open it, and its declared facts."""

    name: str  # short layer name (output file names derive from it)
    display: str  # where it comes from, for messages: "PPR.zip:uuid/N_ZONE_ALEA.shp"
    gdal_path: str
    gdal_layer: str | None
    driver: str
    open_options: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None  # given to GDAL/pyogrio to recode attributes
    encoding_guess: EncodingGuess | None = None
    geometry_type: str | None = None  # as declared by GDAL; None for a table without geometry
    feature_count: int = 0
    bounds: tuple[float, float, float, float] | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    crs: CRS | None = None
    crs_how: str = "none"  # "declared", "implied" (GeoJSON without "crs": RFC 7946), "user", "assumed", "none"
    issues: Report = field(default_factory=Report)
    text_fields_decimal_comma: bool = False  # CSV: French decimal commas may hide in text columns
    #: an in-memory layer (a theme run's conformed layer): its rows, geometry as WKB in ``geometry``; streams
    #: read this table instead of opening ``gdal_path``
    table: pa.Table | None = field(default=None, repr=False)
    #: an in-memory layer too large to hold (a streamed theme run's spooled rows): each call gives its batches
    #: anew, in order, geometry as WKB in ``geometry``, one schema
    batch_source: Callable[[], Iterator[pa.RecordBatch]] | None = field(default=None, repr=False)

    @property
    def has_geometry(self) -> bool:
        return self.geometry_type is not None

    def count_issue(self, read: int) -> Issue | None:
        """A warning when fewer (or more) features were read than the file declares.

        GDAL counts some objects it then cannot decode (MapInfo MIF text or arc objects): without this
        warning they would vanish from every output without a word.
        """
        if read == self.feature_count:
            return None
        missing = self.feature_count - read
        what = f"the other {missing} are missing from the outputs" if missing > 0 else "the file's count is wrong"
        what_fr = (
            f"{quantity(missing, 'objet manque', 'objets manquent')} dans les fichiers produits"
            if missing > 0
            else "le nombre déclaré par le fichier est faux"
        )
        return Issue(
            "FEATURE_COUNT_MISMATCH",
            Severity.WARNING,
            f"{self.display} declares {self.feature_count} features but {read} could be read; {what}.",
            "GDAL skipped objects it cannot decode: check the file in the software that wrote it.",
            layer=self.name,
            count=abs(missing),
            message_fr=f"{self.display} déclare {quantity(self.feature_count, 'objet', 'objets')} mais "
            f"{count_text(read)} {agree(read, 'a pu être lu', 'ont pu être lus')} ; {what_fr}.",
            hint_fr="GDAL a sauté des objets qu'il ne sait pas décoder : vérifiez le fichier dans le logiciel qui l'a "
            "produit.",
        )

    def read_kwargs(self) -> dict[str, object]:
        kwargs: dict[str, object] = dict(self.open_options)
        if self.gdal_layer is not None:
            kwargs["layer"] = self.gdal_layer
        if self.encoding and self.driver == "ESRI Shapefile":
            # the driver's open option, not pyogrio's ``encoding=``: that one sets the process-wide
            # SHAPE_ENCODING while the stream is open, and the Shapefile *writer* of the same conversion
            # then recodes its UTF-8 field names and values into the source's code page
            kwargs["ENCODING"] = self.encoding
        elif self.encoding:
            kwargs["encoding"] = self.encoding
        return kwargs


@dataclass
class Source:
    """A file, folder or zip opened for reading; owns the temporary copies it needed.

    Use it as a context manager: temporary copies (rebuilt .shx, transcoded CSV) are removed on exit.
    """

    path: Path
    layers: list[LayerSource]
    issues: Report
    workdir: Path

    @classmethod
    def new_workdir(cls) -> Path:
        return Path(tempfile.mkdtemp(prefix="odl-geo-src-"))

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
