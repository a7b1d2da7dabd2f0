"""What normalisation does to a layer, as one immutable value shared by readers and writers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["NormaliseOptions"]


@dataclass(frozen=True)
class NormaliseOptions:
    """
    :param target_crs: reproject to this CRS (None keeps the source CRS).
    :param promote_multi: turn single parts into multis when the layer needs one type (typed formats).
    :param force_2d: drop Z (M is always dropped: few formats and no viewer use it).
    :param drop_empty: drop features without geometry instead of keeping them with a null geometry.
    :param decode_html: turn ``&eacute;`` into ``é`` in text fields (Geotrek exports).
    :param repair: repair invalid polygons with ``make_valid`` (structure method, keeps the type).
    :param family: keep only this geometry family ("point", "line", "polygon"): Shapefile split.
    """

    target_crs: CRS | None = None
    promote_multi: bool = False
    force_2d: bool = False
    drop_empty: bool = False
    decode_html: bool = False
    repair: bool = True
    family: str | None = None
    batch_size: int = 65_536
