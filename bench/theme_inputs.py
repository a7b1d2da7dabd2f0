"""Inputs of ``bench/theme.py``: one generated source per theme and size, seeded, written batch by batch.

Every input is built from a bundled sample's columns, values and shapes, with the faults a theme run has to report
or fix, and cached in ``bench/.data/`` under a name carrying ``DATA_VERSION`` (bump it when the bytes change: the
old files are then ignored, delete them by hand). Generation streams: a batch of ``BATCH`` features is drawn from
its own random generator (seeded by theme and batch number: the water, pei and hiking files of 100k and 1M start
with the same 100,000 rows) and appended to the file (``pyarrow.csv.CSVWriter``; ``pyogrio.write_arrow``
fed by a ``RecordBatchReader``), so 5M features need one batch of memory, not the whole table: batches of 100,000
points, 20,000 trails, 25,000 zones; peak RSS of a generation about 200 MB (water), 380 MB (flood, flat from 50k to
600k zones), 450 MB (hiking at 250k; 1.4 GB with batches of 100,000 trails).

* **water** — the Montpellier fountains CSV (``examples/water``): its columns (``Dossier``, ``Nom``,
  ``BORNE_FONT``, ``Catégorie``, decimal-comma ``Longitude``/``Latitude``), its names and categories, points
  around its fountains; plus a commissioning date (0.5 % in French order ``23/10/2015``), a remark (0.2 %
  holding an e-mail or a phone number), an owner's name (personal data), 0.3 % of names with mojibake
  (``Ã©``), 0.1 % duplicated rows and 0.1 % of points outside the declared area (``--area 34``: around Toulouse).
* **pei** — the SDIS-style fire-hydrant CSV of ``tests/data/pei/make_pei_generated.py`` (its columns,
  communes, types and the same kinds of faults: unknown type, missing INSEE code, points in the sea, French
  dates, repeated SDIS numbers, a private owner's name and phone), vectorised.
* **hiking** — the Cévennes trails (``examples/hiking``): their properties and line shapes (simplified to at
  most 30 vertices, long HTML texts cut to 300 characters), shifted over Occitanie, new ids; 0.5 % bad dates,
  0.3 % mojibake, 0.1 % duplicates, 0.1 % outside Occitanie, 0.2 % with a private e-mail in the description.
* **flood** — a COVADIS PPR folder from the bundled PPRN of Le Bourg-d'Oisans (``examples/flood``): its
  perimeter (one polygon; its date of validity typed as text in French order, ``23/12/2022``), and N features of
  ``N_ZONE_ALEA`` and ``N_ZONE_REG`` polygons in the sample's proportions (646 : 584), with every field of the
  sample's layers. The sample's zones are repeated as whole copies of the plan, each copy halved in size (areas
  / 4, so that 5M zones fit on land) and laid on a grid of 64 columns over central France (Lambert-93, from
  x 480 km, y 6,300 km, 5.2 x 7.8 km a cell: copies never overlap), shapes simplified by 10 cm (topology kept;
  46 and 40 vertices a zone on average instead of 50 and 67, so that the 5M zones' ``.shp`` files stay under the
  Shapefile's 2 GB; neighbours are simplified apart, which opens about one overlap of more than 1 m² a copy), a
  new ``id_zone`` for every zone. Faults: 0.1 % of the zones drawn twice (same shape and values, their own
  ``id_zone``: a repeated ``ID_ZONE`` is an error no option fixes, exit 2, so the benchmark would time a run
  that writes nothing), 0.1 % moved into the Atlantic (outside France: left out with ``--drop-invalid``), 0.3 %
  of the regulatory zones' names with mojibake (``Zone rÃ©glementÃ©e - RT3``), 0.5 % of ``DATECARTE`` (text)
  in French order. The CNIG zone tables carry no date (the translation drops ``DATECARTE``) and PPR zones hold
  no personal data: those faults are not invented. No ``N_MULTIALEA`` table (the sample has none: its 478
  "multirisques" zones a copy are reported). The folder is what a DDT delivers: Shapefiles named
  ``N_<THEME>_PPRN_20200002_S_038``.

Sizes on disk (v2; measured where a number is given, else extrapolated from 100k), and generation time at
``nice -n 19`` on the shared machine (load about 5 on 2 cores):

=======  ===========================  ====================  ==========================================
theme    100k                         1M                    5M
=======  ===========================  ====================  ==========================================
water    10.3 MiB, < 1 s              104.2 MiB, 7 s        525.0 MiB, 181 s
pei      16.6 MiB, 1 s                ~166 MiB              ~830 MiB
hiking   282.4 MiB, 4 s               ~2.8 GiB              ~14 GiB (its texts: check ``df -h /work``)
flood    103.3 MiB, 11 s              ~1.0 GiB, ~2 min      ~5.0 GiB, ~10 min; largest file the hazard
                                                            zones' ``.shp``, ~1.92 GiB (< 2 GiB)
=======  ===========================  ====================  ==========================================

Usage (generation only, e.g. at low priority before a benchmark)::

    nice -n 19 .venv/bin/python bench/theme_inputs.py --themes water --sizes 1M,5M
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from _support import parse_size

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"
DATA_VERSION = 2
BATCH = 100_000  # rows a batch (points); the trails and the zones, heavier, go by smaller batches


def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


def _rng(theme_seed: int, batch: int) -> np.random.Generator:
    return np.random.default_rng([theme_seed, batch])


def _spans(n: int, batch: int = BATCH) -> Iterator[tuple[int, int, int]]:
    """(batch number, first row, row count) of the batches of ``n`` rows."""
    for i, start in enumerate(range(0, n, batch)):
        yield i, start, min(batch, n - start)


def _pick(rng: np.random.Generator, values: list[str], n: int) -> pa.Array:
    """``n`` values drawn from ``values`` (as text), without a Python loop."""
    return pc.take(pa.array(values, pa.string()), pa.array(rng.integers(0, len(values), n, dtype=np.int32)))


def _replace_where(column: pa.Array, mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), values, column)


def _french_dates(rng: np.random.Generator, n: int, bad: float) -> pa.Array:
    days = pa.array((rng.integers(0, 365 * 40, n) + np.datetime64("1980-01-01").astype(int)).astype("datetime64[D]"))
    iso = pc.strftime(days, format="%Y-%m-%d")
    return _replace_where(iso, rng.random(n) < bad, pc.strftime(days, format="%d/%m/%Y"))


def _mojibake(column: pa.Array, mask: np.ndarray) -> pa.Array:
    """UTF-8 text decoded as CP1252 (``é`` -> ``Ã©``), the usual damage, on the rows of ``mask``."""
    broken = pc.replace_substring(pc.replace_substring(column, "é", "Ã©"), "è", "Ã¨")
    return _replace_where(column, mask, broken)


def _duplicate_index(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """Row numbers 0..n-1 where a share of the rows points to the row before: taking them duplicates features."""
    take = np.arange(n)
    dup = np.flatnonzero(rng.random(n) < share)
    take[dup] = np.maximum(dup - 1, 0)
    return take


def _duplicate_rows(table: pa.Table, rng: np.random.Generator, share: float) -> pa.Table:
    """Replace a share of the rows by copies of the row before (same values, same place): duplicate features."""
    return table.take(pa.array(_duplicate_index(rng, table.num_rows, share)))


def _write_csv(path: Path, batches: Iterator[pa.Table], delimiter: str = ",") -> None:
    """Append the batches to a CSV (one header), then move it into place: a cut-off run leaves no cached file."""
    tmp = path.with_suffix(".tmp")
    writer = None
    try:
        for table in batches:
            if writer is None:
                schema = table.schema
                options = pacsv.WriteOptions(delimiter=delimiter, quoting_style="needed")
                writer = pacsv.CSVWriter(tmp, schema, write_options=options)
            writer.write_table(table.cast(schema))
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, path)


def _write_ogr(path: Path, layer: str, batches: Iterator[pa.Table], geometry_type: str, crs: str, **kw: object) -> None:
    """Stream the batches (WKB column ``geometry``) into one layer of a GDAL file, a batch in memory at a time."""
    import pyogrio

    head: list[pa.Table] = [next(batches)]
    schema = head[0].schema

    def stream() -> Iterator[pa.RecordBatch]:
        yield from head.pop().to_batches()  # the first batch is not held once written
        for table in batches:
            yield from table.cast(schema).to_batches()

    reader = pa.RecordBatchReader.from_batches(schema, stream())
    pyogrio.write_arrow(reader, path, layer=layer, geometry_name="geometry", geometry_type=geometry_type, crs=crs,
                        **kw)  # fmt: skip


def _announce(path: Path) -> float:
    print(f"  generating {path.name} ...", flush=True)
    DATA.mkdir(parents=True, exist_ok=True)
    return time.perf_counter()


def _done(path: Path, start: float) -> None:
    size = sum(f.stat().st_size for f in path.iterdir()) if path.is_dir() else path.stat().st_size
    print(f"  {path.name}: {size / 2**20:,.1f} MiB in {time.perf_counter() - start:.1f} s", flush=True)


# -- water ---------------------------------------------------------------------------------------------------------


def make_water(n: int) -> Path:
    path = DATA / f"water_{human(n)}_v{DATA_VERSION}.csv"
    if path.exists():
        return path
    start = _announce(path)
    sample = pacsv.read_csv(
        REPO / "examples" / "water" / "VilleMTP_MTP_Fontaines.csv",
        read_options=pacsv.ReadOptions(encoding="cp1252"),
        convert_options=pacsv.ConvertOptions(column_types={"Longitude": pa.string(), "Latitude": pa.string()}),
    )
    names = sample.column(1).to_pylist()
    categories = sample.column(3).to_pylist()  # "Catégorie"
    lon_s = pc.cast(pc.replace_substring(sample.column("Longitude"), ",", "."), pa.float64()).to_numpy()
    lat_s = pc.cast(pc.replace_substring(sample.column("Latitude"), ",", "."), pa.float64()).to_numpy()

    def batches() -> Iterator[pa.Table]:
        for i, first, k in _spans(n):
            rng = _rng(20261206, i)
            near = rng.integers(0, len(lon_s), k)  # around the sample's fountains (Montpellier), within about 2 km
            lon, lat = lon_s[near] + rng.normal(0, 0.015, k), lat_s[near] + rng.normal(0, 0.01, k)
            away = rng.random(k) < 0.001  # outside the declared area: around Toulouse
            lon[away], lat[away] = rng.uniform(1.3, 1.5, int(away.sum())), rng.uniform(43.55, 43.65, int(away.sum()))
            remark = _pick(rng, ["", "Près de l'aire de jeux", "Hors service l'hiver", "Vérifiée en 2024"], k)
            contact = _pick(rng, ["Signalée par jean.dupont@example.fr", "Riverain : 06 12 34 56 78"], k)
            table = pa.table({
                "Dossier": pa.array(np.arange(first + 1, first + k + 1)),
                "Nom": _mojibake(_pick(rng, names, k), rng.random(k) < 0.003),
                "BORNE_FONT": pa.array(rng.integers(1, 4, k)),
                "Catégorie": _pick(rng, categories, k),
                "Date_mise_en_service": _french_dates(rng, k, 0.005),
                "Remarques": _replace_where(remark, rng.random(k) < 0.002, contact),
                "Proprietaire": _pick(rng, ["Ville de Montpellier", "M. Martin", "Mme Garcia"], k),
                "Longitude": pc.replace_substring(pc.cast(pa.array(np.round(lon, 5)), pa.string()), ".", ","),
                "Latitude": pc.replace_substring(pc.cast(pa.array(np.round(lat, 5)), pa.string()), ".", ","),
            })  # fmt: skip
            yield _duplicate_rows(table, rng, 0.001)

    _write_csv(path, batches())
    _done(path, start)
    return path


# -- pei -----------------------------------------------------------------------------------------------------------


def make_pei(n: int) -> Path:
    path = DATA / f"pei_theme_{human(n)}_v{DATA_VERSION}.csv"
    if path.exists():
        return path
    start = _announce(path)
    sys.path.insert(0, str(REPO / "tests" / "data" / "pei"))
    import make_pei_generated as gen
    from pyproj import Transformer

    codes = list(gen.COMMUNES)
    lonlat = np.array([gen.COMMUNES[c][1:] for c in codes])
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    cx, cy = (np.asarray(v) for v in to_l93.transform(lonlat[:, 0], lonlat[:, 1]))
    types = pa.array([t[0] for t in gen.TYPES])
    rddeci = pa.array([t[1] for t in gen.TYPES])
    diameters = pa.array([str(t[2] or "") for t in gen.TYPES])

    def batches() -> Iterator[pa.Table]:
        for i, first, k in _spans(n):
            rng = _rng(20261207, i)
            commune = rng.integers(0, len(codes), k)
            px, py = cx[commune] + rng.uniform(-400, 400, k), cy[commune] + rng.uniform(-400, 400, k)
            sea = rng.random(k) < 0.001
            px[sea], py[sea] = 790_000.0, 6_180_000.0  # Golfe du Lion
            kind = pa.array(rng.integers(0, len(gen.TYPES), k))
            type_pei = _replace_where(pc.take(types, kind), rng.random(k) < 0.001, pa.array(["PX"] * k))
            insee = pc.take(pa.array(codes), pa.array(commune))
            number = pc.utf8_lpad(pc.cast(pa.array(np.arange(first, first + k)), pa.string()), 6, "0")
            numero = pc.binary_join_element_wise(insee, number, ".")
            take = np.arange(k)
            repeat = np.flatnonzero(rng.random(k) < 0.001)
            take[repeat] = np.maximum(repeat - 1, 0)
            numero = pc.take(numero, pa.array(take))
            private = rng.random(k) < 0.0005
            address = pc.binary_join_element_wise(pc.cast(pa.array(rng.integers(1, 120, k)), pa.string()),
                                                  _pick(rng, gen.STREETS, k), " ")  # fmt: skip
            guard = pa.array(["Mas des Oliviers, gardien M. Dupont 06 12 34 56 78"] * k)
            address = _replace_where(address, private, guard)
            pressure = pc.cast(pa.array(np.round(rng.uniform(1.5, 6, k), 1)), pa.string())
            yield pa.table({
                "code_insee": _replace_where(insee, rng.random(k) < 0.001, pa.array([""] * k)),
                "numero_sdis": numero,
                "id_gestionnaire": pc.cast(pa.array(np.arange(1000 + first, 1000 + first + k)), pa.string()),
                "gestionnaire": _pick(rng, ["Veolia Eau", "Régie municipale"], k),
                "type": type_pei,
                "type_rddeci": pc.take(rddeci, kind),
                "diametre": pc.take(diameters, kind),
                "debit_1bar": _pick(rng, ["30", "60", "75", "90", "120"], k),
                "pression_dyn": pc.replace_substring(pressure, ".", ","),
                "statut": _replace_where(pa.array(["public"] * k), private, pa.array(["privé"] * k)),
                "etablissement": _replace_where(pa.array([""] * k), private, pa.array(["M. Jean Dupont"] * k)),
                "adresse": address,
                "disponibilite": _pick(rng, ["oui"] * 6 + ["non"], k),
                "date_mise_en_service": _french_dates(rng, k, 0.005),
                "date_controle": _french_dates(rng, k, 0.0),
                "X": pc.cast(pa.array(np.round(px, 2)), pa.string()),
                "Y": pc.cast(pa.array(np.round(py, 2)), pa.string()),
            })  # fmt: skip

    _write_csv(path, batches(), delimiter=";")
    _done(path, start)
    return path


# -- hiking --------------------------------------------------------------------------------------------------------


def make_hiking(n: int) -> Path:
    path = DATA / f"hiking_{human(n)}_v{DATA_VERSION}.gpkg"
    if path.exists():
        return path
    start = _announce(path)
    import shapely

    feats = json.loads((REPO / "examples" / "hiking" / "cevennes_itineraires.json").read_text(encoding="utf-8"))
    feats = feats["features"]
    shapes = []
    for f in feats:  # each trail as offsets from its first vertex, at most 30 vertices
        coords = np.asarray(shapely.geometry.shape(f["geometry"]).coords)[:, :2]
        keep = np.unique(np.linspace(0, len(coords) - 1, min(30, len(coords))).astype(int))
        shapes.append(coords[keep] - coords[0])
    lengths = np.array([len(s) for s in shapes])
    offsets = np.concatenate(shapes)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    templates: dict[str, pa.Array] = {}
    for key in feats[0]["properties"]:
        values = [f["properties"].get(key) for f in feats]
        values = [v[:300] if isinstance(v, str) else v for v in values]
        if all(v is None or isinstance(v, (list, dict)) for v in values):
            continue  # arrays (medias): kept out, as a GeoPackage cannot hold them as such
        if all(isinstance(v, (int, float)) or v is None for v in values):
            templates[key] = pa.array(values, type=pa.float64())
        else:
            templates[key] = pa.array([None if v is None else str(v) for v in values], pa.string())

    def batches() -> Iterator[pa.Table]:
        for i, first, k in _spans(n, 20_000):
            rng = _rng(20261208, i)
            template = rng.integers(0, len(feats), k)
            nverts = lengths[template]
            line_of = np.repeat(np.arange(k), nverts)
            pos = np.arange(int(nverts.sum())) - np.repeat(np.cumsum(nverts) - nverts, nverts)
            vertex = np.repeat(starts[template], nverts) + pos
            x0, y0 = rng.uniform(1.0, 4.5, k), rng.uniform(42.6, 44.8, k)  # Occitanie
            away = rng.random(k) < 0.001
            x0[away], y0[away] = rng.uniform(-1.5, -1.0, int(away.sum())), rng.uniform(47.0, 47.5, int(away.sum()))
            xy = offsets[vertex] + np.column_stack([x0, y0])[line_of]
            wkb = shapely.to_wkb(shapely.linestrings(np.round(xy, 6), indices=line_of))
            pick = pa.array(template)
            columns = {key: pc.take(values, pick) for key, values in templates.items()}
            columns["id_local"] = pc.cast(pa.array(np.arange(first + 1, first + k + 1)), pa.string())
            columns["nom_itineraire"] = _mojibake(columns["nom_itineraire"], rng.random(k) < 0.003)
            if "date_creation" in columns:
                columns["date_creation"] = _replace_where(columns["date_creation"], rng.random(k) < 0.005,
                                                          _french_dates(rng, k, 1.0))  # fmt: skip
            if "presentation_courte" in columns:
                columns["presentation_courte"] = _replace_where(
                    columns["presentation_courte"], rng.random(k) < 0.002,
                    pa.array(["Renseignements : pierre.durand@example.fr"] * k),
                )  # fmt: skip
            yield _duplicate_rows(pa.table({**columns, "geometry": pa.array(wkb, type=pa.binary())}), rng, 0.001)

    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    _write_ogr(tmp, "itineraires", batches(), "LineString", "EPSG:4326", driver="GPKG")
    os.replace(tmp, path)
    _done(path, start)
    return path


# -- flood ---------------------------------------------------------------------------------------------------------

FLOOD_SAMPLE = REPO / "examples" / "flood" / "PPRn_BourgOisans.zip"
FLOOD_SCALE = 0.5  # each copy of the plan halved in size: 5M zones fit on land in central France
FLOOD_ORIGIN = (480_000.0, 6_300_000.0)  # Lambert-93, south-west corner of the grid (Lot-et-Garonne)
FLOOD_COLUMNS = 64
FLOOD_SEA = (250_000.0, 6_450_000.0)  # Atlantic, west of the Île d'Oléron: outside France
FLOOD_CODE = "20200002"
#: metres; neighbours are simplified apart, so more would open overlaps (1 m: 280 pairs a copy, 0.1 m: 1)
FLOOD_SIMPLIFY = 0.1


def _flood_layers() -> dict[str, object]:
    """The sample's three layers (GeoDataFrames in EPSG:2154), by COVADIS theme, read from the bundled zip."""
    import pyogrio

    with zipfile.ZipFile(FLOOD_SAMPLE) as zf:
        shps = [name for name in zf.namelist() if name.lower().endswith(".shp")]
    layers = {}
    for theme in ("PERIMETRE", "ZONE_ALEA", "ZONE_REG"):
        name = next(s for s in shps if f"N_{theme}_" in s)
        layers[theme] = pyogrio.read_dataframe(f"/vsizip/{FLOOD_SAMPLE}/{name}")
    return layers


def _arrow(frame: object) -> pa.Table:
    """A GeoDataFrame's attributes as an Arrow table, text as ``string`` (pandas gives ``large_string``)."""
    table = pa.Table.from_pandas(frame.drop(columns="geometry"), preserve_index=False)  # type: ignore[attr-defined]
    return table.cast(pa.schema([pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type)
                                 for f in table.schema]))  # fmt: skip


def flood_counts(n: int) -> dict[str, int]:
    """How many hazard and regulatory zones make ``n`` features (the sample's proportions, 646 : 584)."""
    alea = round(n * 646 / (646 + 584))
    return {"ZONE_ALEA": alea, "ZONE_REG": n - alea}


def make_flood(n: int) -> Path:
    path = DATA / f"flood_{human(n)}_v{DATA_VERSION}"
    if path.exists():
        return path
    start = _announce(path)
    import shapely

    layers = _flood_layers()
    zones = [layers["ZONE_ALEA"], layers["ZONE_REG"]]
    x_min = min(float(z.total_bounds[0]) for z in zones)
    y_min = min(float(z.total_bounds[1]) for z in zones)
    width = max(float(z.total_bounds[2]) for z in zones) - x_min
    height = max(float(z.total_bounds[3]) for z in zones) - y_min
    cell = ((width + 200.0) * FLOOD_SCALE, (height + 200.0) * FLOOD_SCALE)  # 100 m apart at least

    def place(geoms: np.ndarray, copy: np.ndarray, sea: np.ndarray) -> np.ndarray:
        """Each geometry halved around the sample's corner and moved into its copy's cell (or into the sea)."""
        col, row = copy % FLOOD_COLUMNS, copy // FLOOD_COLUMNS
        dx = FLOOD_ORIGIN[0] + col * cell[0]
        dy = FLOOD_ORIGIN[1] + row * cell[1]
        dx[sea], dy[sea] = FLOOD_SEA[0], FLOOD_SEA[1]
        counts = shapely.get_num_coordinates(geoms)
        shift = np.column_stack([np.repeat(dx, counts), np.repeat(dy, counts)])
        return shapely.transform(geoms, lambda c: (c - (x_min, y_min)) * FLOOD_SCALE + shift)

    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    options = {"driver": "ESRI Shapefile", "encoding": "UTF-8", "layer_options": {"RESIZE": "YES"}}
    perimeter = layers["PERIMETRE"]
    table = _arrow(perimeter)
    table = table.set_column(table.schema.get_field_index("datevalid"), "datevalid",
                             pc.strftime(table.column("datevalid"), format="%d/%m/%Y"))  # fmt: skip
    geoms = place(perimeter.geometry.values, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=bool))
    table = table.append_column("geometry", pa.array(shapely.to_wkb(geoms), pa.binary()))
    name = f"N_PERIMETRE_PPRN_{FLOOD_CODE}_S_038"
    _write_ogr(tmp / f"{name}.shp", name, iter([table]), "Polygon", "EPSG:2154", **options)

    for seed, (theme, count) in enumerate(flood_counts(n).items()):
        frame = zones[seed]
        shapes = shapely.simplify(frame.geometry.values, FLOOD_SIMPLIFY, preserve_topology=True)
        attrs = _arrow(frame)
        if "datecarte" in attrs.column_names:  # a date typed as text, as many DDT layers have it
            attrs = attrs.set_column(attrs.schema.get_field_index("datecarte"), "datecarte",
                                     pc.strftime(attrs.column("datecarte"), format="%Y-%m-%d"))  # fmt: skip
        per_copy = len(frame)

        def batches(theme: str = theme, count: int = count, seed: int = seed, attrs: pa.Table = attrs,
                    shapes: np.ndarray = shapes, per_copy: int = per_copy) -> Iterator[pa.Table]:  # fmt: skip
            for i, first, k in _spans(count, 25_000):
                rng = _rng(20261209 + seed, i)
                rows = np.arange(first, first + k)
                # 0.1 % of the zones drawn twice (same shape, same values, their own id_zone: an ID_ZONE repeated
                # is an error no option fixes, the DDT must renumber; see the module docstring)
                again = _duplicate_index(rng, k, 0.001)
                template, copy = (rows % per_copy)[again], (rows // per_copy)[again]
                sea = (rng.random(k) < 0.001)[again]
                table = attrs.take(pa.array(template))
                table = table.set_column(table.schema.get_field_index("id_zone"), "id_zone", pa.array(rows + 1))
                if "datecarte" in table.column_names:
                    dates = table.column("datecarte").combine_chunks()
                    french = pc.strftime(pc.strptime(dates, format="%Y-%m-%d", unit="s"), format="%d/%m/%Y")
                    table = table.set_column(table.schema.get_field_index("datecarte"), "datecarte",
                                             _replace_where(dates, rng.random(k) < 0.005, french))  # fmt: skip
                if theme == "ZONE_REG":
                    label = pc.binary_join_element_wise("Zone réglementée - ", table.column("codezone"), "")
                    broken = _mojibake(label.combine_chunks(), np.ones(k, dtype=bool))
                    nom = _replace_where(table.column("nom").combine_chunks(), rng.random(k) < 0.003, broken)
                    table = table.set_column(table.schema.get_field_index("nom"), "nom", nom)
                wkb = shapely.to_wkb(place(shapes[template], copy, sea))
                yield table.append_column("geometry", pa.array(wkb, pa.binary()))

        name = f"N_{theme}_PPRN_{FLOOD_CODE}_S_038"
        _write_ogr(tmp / f"{name}.shp", name, batches(), "Polygon", "EPSG:2154", **options)
    os.replace(tmp, path)
    _done(path, start)
    return path


MAKERS: dict[str, Callable[[int], Path]] = {
    "water": make_water,
    "pei": make_pei,
    "hiking": make_hiking,
    "flood": make_flood,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate (only) the inputs of bench/theme.py.")
    ap.add_argument("--themes", default=",".join(MAKERS))
    ap.add_argument("--sizes", default="100k")
    args = ap.parse_args(argv)
    for theme in args.themes.split(","):
        for size in [parse_size(s) for s in args.sizes.split(",")]:
            print(MAKERS[theme](size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
