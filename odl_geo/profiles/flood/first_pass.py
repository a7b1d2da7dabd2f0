"""The first pass over a COVADIS PPR's zone layers: what ``conform`` only knows after the last zone, read first.

Step 3 of docs/flood.md ("checks per chunk on the way in") checks each piece of zones and appends its rows to
the GeoPackage before the next piece is read. Three things ``conform`` decides today only at the end
(``HazardPieces.finish``, ``covadis_to_cnig``) stand in the way, and this pass gives two of them before any zone
is conformed, from a few code columns read without the geometries (GDAL reads chosen columns of a Shapefile's
``.dbf`` only):

- the procedure's code (``codeprocedure``), written in every zone row: from the ``ID_GASPAR`` values of every
  layer (:attr:`ZoneCodes.gaspar` for the zone layers, the small layers' own values, see
  :func:`procedure_code`) unless the mapping file sets it;
- the zone tables ``conform`` makes and their order (:meth:`ZoneCodes.zone_tables`): the hazard tables are
  created in the GeoPackage in that order (their order is the file's bytes), so a build fed piece by piece must
  create them all before the first row comes (:class:`~odl_geo.profiles.flood.gpkg.GpkgBuilder` ``table``).

The third, the multirisk zones' expansion (``N_MULTIALEA``), still needs the multirisk zones' shapes at the end;
their identifiers are kept here (:attr:`ZoneCodes.multirisk`) to name the tables they go to.

The values are read as ``conform`` reads them: the same local codes of a mapping file (``[values.*]``), the
same cleaning (:func:`~odl_geo.profiles.flood.model.text_values`); ``tests/unit/test_flood_first_pass.py``
compares them with what ``conform`` decides on the DDT38 PPRs and on a PPR with faults. The pass keeps sets of
distinct codes (a few) and the multirisk zones' identifiers, batch by batch: its memory does not grow with the
zones' shapes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .covadis import _SUFFIX, PIECE_ROLES, TYPEREG_FONCIER, LocalCodes, _gaspar
from .hazards import MULTI_CODE, covadis_hazard_code
from .model import column, text_values

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import pandas as pd

    from ...sources.layer import LayerSource

__all__ = ["ZoneCodes", "first_pass", "procedure_code"]

#: rows of the code columns read at a time (a few MB of text at most)
BATCH_ROWS = 65_536
#: the COVADIS fields each layer's pass reads (as :func:`~odl_geo.profiles.flood.model.column` finds them)
_FIELDS = {
    "zone_alea": ("id_gaspar", "coderisque", "id_zone"),
    "multi_alea": ("id_zone", "coderisque"),
    **{role: ("id_gaspar", "typereg") for role in PIECE_ROLES if role != "zone_alea"},
}


@dataclass
class ZoneCodes:
    """What the first pass found in the zone layers (and ``N_MULTIALEA``)."""

    #: zone layer's role -> its distinct ``ID_GASPAR`` values, as :class:`~.covadis.ZonePieces` collects them
    gaspar: dict[str, set[str]] = field(default_factory=dict)
    #: the natural hazard codes (``typealea``) of the single-hazard zones of ``N_ZONE_ALEA``
    natural: set[str] = field(default_factory=set)
    #: the source identifiers (``ID_ZONE``) of the multirisk zones (``CODERISQUE`` all nines)
    multirisk: set[object] = field(default_factory=set)
    #: whether ``N_ZONE_ALEA`` has a multirisk zone (one without ``ID_ZONE`` counts too)
    has_multirisk: bool = False
    #: ``N_MULTIALEA``'s (zone identifier, hazard code) pairs, when the layer is given
    details: set[tuple[object, str | None]] | None = None
    #: regulatory zone layer's role -> (has a zone of typereglementurba, has one of typereglementfoncier)
    regulatory: dict[str, tuple[bool, bool]] = field(default_factory=dict)

    def zone_tables(self) -> list[str]:
        """The zone tables ``conform`` makes, in its order: the hazards' (``zonemultialeanaturel`` and the
        synthesis with multirisk zones, one table per natural hazard code, the codes met only in the multirisk
        zones' details after the synthesis), then the regulatory zones' (urba, foncier; s, l, p)."""
        kinds: list[str] = []
        if self.has_multirisk:
            kinds.append("zonemultialeanaturel")
        kinds += [f"zonealeareference_{c}_s" for c in sorted(self.natural)]
        if self.has_multirisk:
            kinds.append("zonealeanaturelsynthese_s")
            expanded = {
                code
                for zone, code in self.details or ()
                if zone in self.multirisk and code is not None and code.startswith("1")
            }
            kinds += [f"zonealeareference_{c}_s" for c in sorted(expanded - self.natural)]
        for role, suffix in _SUFFIX.items():
            urba, foncier = self.regulatory.get(role, (False, False))
            kinds += [f"zonereglementaireurba_{suffix}"] if urba else []
            kinds += [f"zonereglementairefoncier_{suffix}"] if foncier else []
        return kinds


def procedure_code(codes: ZoneCodes, others: Mapping[str, set[str]], layer: Mapping[str, str]) -> str:
    """The procedure's code ``conform`` gives when the mapping file does not: the one ``ID_GASPAR`` value of
    every layer (``codes.gaspar`` for the zone layers, ``others`` for the layers read whole), in capitals.

    :param layer: role -> the layer's short name, for the message of mixed procedures.
    :raises InputError: no layer has a value, or the layers belong to several procedures.
    """
    return _gaspar({**others, **codes.gaspar}, dict(layer))


def first_pass(layers: Mapping[str, LayerSource], mapping: object = None) -> ZoneCodes:
    """Read the code columns of the zone layers and ``N_MULTIALEA`` among ``layers`` (role -> layer), without
    their geometries, with the mapping file's local codes applied as ``conform`` applies them."""
    local = LocalCodes(mapping)
    out = ZoneCodes()
    for role, layer in layers.items():
        wanted = _FIELDS.get(role)
        if wanted is None:
            continue
        if role in PIECE_ROLES:
            out.gaspar[role] = set()
        if role == "multi_alea":
            out.details = set()
        for frame in _code_batches(layer, wanted):
            frame = local.apply(role, frame)
            n = len(frame)
            if role in PIECE_ROLES:
                out.gaspar[role].update(text_values(column(frame, "id_gaspar"), n).dropna())
            if role == "zone_alea":
                codes = text_values(column(frame, "coderisque"), n).map(covadis_hazard_code)
                multi = (codes == MULTI_CODE).to_numpy()
                natural = codes[codes.fillna("").str.startswith("1").to_numpy() & ~multi]
                out.natural.update(natural.unique())
                if multi.any():
                    out.has_multirisk = True
                    out.multirisk.update(text_values(column(frame, "id_zone"), n)[multi])
            elif role == "multi_alea":
                assert out.details is not None
                zones = text_values(column(frame, "id_zone"), n)
                codes = text_values(column(frame, "coderisque"), n).map(covadis_hazard_code)
                out.details.update(zip(zones, codes, strict=True))
            else:
                typereg = text_values(column(frame, "typereg"), n, pad=2)
                foncier = typereg.isin(list(TYPEREG_FONCIER)).to_numpy()
                urba, fonc = out.regulatory.get(role, (False, False))
                out.regulatory[role] = (urba or bool((~foncier).any()), fonc or bool(foncier.any()))
    return out


def _code_batches(layer: LayerSource, wanted: tuple[str, ...]) -> Iterator[pd.DataFrame]:
    """``layer``'s fields among ``wanted`` (any case), :data:`BATCH_ROWS` rows at a time, without geometries."""
    import pyogrio

    names = [name for name, _ in layer.fields if name.lower().rstrip("_") in wanted]
    if layer.table is not None:  # an in-memory layer
        for batch in layer.table.select(names).to_batches(BATCH_ROWS):
            yield batch.to_pandas()
        return
    if layer.batch_source is not None:
        for batch in layer.batch_source():
            yield batch.select(names).to_pandas()
        return
    if not names:  # none of the fields: the batches' lengths only matter (none read then)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reading of the layer itself reports GDAL's warnings
        with pyogrio.open_arrow(
            layer.gdal_path, columns=names, read_geometry=False, batch_size=BATCH_ROWS, use_pyarrow=True,
            **layer.read_kwargs(),
        ) as (_, reader):  # fmt: skip
            for batch in reader:
                yield batch.to_pandas()
