"""Write pei_generated_occitanie.csv: a GENERATED (synthetic) fire-hydrant export, SDIS style.

No real PEI dataset with a clear licence could be found (see shared/data/water/README.md), so the PEI tests use
this file. Everything in it is made up, but realistic: semicolon-separated like SDIS exports, SDIS-style ids
(``<INSEE>.<number>``, as in the schema's own example ``34172.02080``), INSEE codes of real Occitanie
communes, Lambert-93 x/y within about 400 m of each commune's centre, French words for types (``Poteau``).
Some rows are faulty on purpose (``FAULTS`` below, and README.md).
Run it again to rebuild the file (seeded: same output)::

    .venv/bin/python tests/data/pei/make_pei_generated.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent
OUT = HERE / "pei_generated_occitanie.csv"

COMMUNES = {  # INSEE: (name, lon, lat of the centre)
    "34172": ("Montpellier", 3.8767, 43.6108),
    "34129": ("Lattes", 3.9036, 43.5675),
    "34057": ("Castelnau-le-Lez", 3.9017, 43.6333),
    "34198": ("Pérols", 3.9547, 43.5650),
    "30189": ("Nîmes", 4.3601, 43.8367),
    "30007": ("Alès", 4.0833, 44.1250),
    "34032": ("Béziers", 3.2158, 43.3442),
    "34145": ("Lunel", 4.1361, 43.6750),
    "48095": ("Mende", 3.4992, 44.5181),
    "31555": ("Toulouse", 1.4442, 43.6047),
    "66136": ("Perpignan", 2.8956, 42.6986),
    "09122": ("Foix", 1.6053, 42.9653),  # a leading zero, which must survive reading
}
HEADER = ["code_insee", "numero_sdis", "id_gestionnaire", "gestionnaire", "type", "type_rddeci", "diametre",
          "debit_1bar", "pression_dyn", "statut", "etablissement", "adresse", "disponibilite",
          "date_mise_en_service", "date_controle", "X", "Y"]  # fmt: skip
TYPES = [("PI", "poteau", 100), ("PI", "poteau", 150), ("BI", "bouche", 100), ("PA", "point d'aspiration", None),
         ("CI", "citerne enterrée", None), ("Poteau", "poteau", 80)]  # fmt: skip
STREETS = ["Rue de la République", "Avenue Jean Jaurès", "Boulevard Victor Hugo", "Place de la Mairie",
           "Chemin des Vignes", "Rue du Stade", "Allée des Platanes", "Route de Nîmes"]  # fmt: skip
# row number (0-based) -> what is wrong with it, also listed in tests/data/pei/README.md
FAULTS = {
    3: "type_pei 'PX' is not a PEI type",
    7: "insee missing",
    11: "coordinates in the sea (Golfe du Lion, south of the Occitanie coast)",
    15: "date_mes '12/03/1999' (French order, not ISO)",
    19: "numero_sdis repeated from row 18",
    22: "private PEI whose owner is a person (name + phone in the address)",
}


def make_rows(n: int = 30) -> list[dict[str, str]]:
    """``n`` rows (at least 30: the planted faults are rows 3 to 22); ``bench/check.py`` asks for 100,000."""
    rng = random.Random(20240501)
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    rows = []
    codes = list(COMMUNES)
    for i in range(max(n, 30)):
        insee = codes[i % len(codes)]
        _, lon, lat = COMMUNES[insee]
        x, y = to_l93.transform(lon, lat)
        x, y = x + rng.uniform(-400, 400), y + rng.uniform(-400, 400)
        type_pei, type_rd, diam = TYPES[i % len(TYPES)]
        public = i % 5 != 4
        row = {
            "code_insee": insee,
            "numero_sdis": f"{insee}.{rng.randint(100, 9999):05d}",
            "id_gestionnaire": str(1000 + i),
            "gestionnaire": "Veolia Eau" if i % 3 else "Régie municipale",
            "type": type_pei,
            "type_rddeci": type_rd,
            "diametre": "" if diam is None else str(diam),
            "debit_1bar": str(rng.choice([30, 60, 75, 90, 120])) if diam else "",
            "pression_dyn": f"{rng.uniform(1.5, 6):.1f}".replace(".", ",") if diam else "",
            "statut": "public" if public else "privé",
            "etablissement": "" if public else rng.choice(["Clinique du Parc", "Centre commercial Odysseum"]),
            "adresse": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "disponibilite": "oui" if i % 7 else "non",
            "date_mise_en_service": f"{rng.randint(1975, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "date_controle": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "X": f"{x:.2f}",
            "Y": f"{y:.2f}",
        }
        if i >= 30:  # a larger set (benchmark): one SDIS number per hydrant
            row["numero_sdis"] = f"{insee}.{i:06d}"
        rows.append(row)
    rows[3]["type"] = "PX"
    rows[7]["code_insee"] = ""
    sea_x, sea_y = to_l93.transform(4.0, 42.15)
    rows[11]["X"], rows[11]["Y"] = f"{sea_x:.2f}", f"{sea_y:.2f}"
    rows[15]["date_mise_en_service"] = "12/03/1999"
    rows[19]["numero_sdis"] = rows[18]["numero_sdis"]
    rows[22].update(statut="privé", etablissement="M. Jean Dupont",
                    adresse="Mas des Oliviers, gardien M. Dupont 06 12 34 56 78")  # fmt: skip
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, HEADER, delimiter=";", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    rows = make_rows(30)
    write(rows, OUT)
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
