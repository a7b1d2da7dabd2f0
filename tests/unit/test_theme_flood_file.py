"""`odl-geo check --theme flood` on an existing CNIG GeoPackage validates the file itself (its schema drift)."""

from __future__ import annotations

from odl_geo.theme.run import check_theme


def test_check_reports_the_drift_of_the_file_and_no_missing_geometry_on_tables(data_copy):
    src = data_copy("flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg")
    run = check_theme(src, "flood")
    misnamed = [i for i in run.report.issues if i.code == "PPR_COLUMN_MISNAMED"]
    assert any("`occurence`" in i.message and "`occurrence` (INTEGER)" in i.message for i in misnamed)
    assert "PPR_VALIDATED_PRODUCT" not in run.report.codes()  # the file was validated, not a re-written product
    tables = {lr.layer for lr in run.layers if lr.role in ("procedure", "referenceinternet")}
    assert tables, [lr.role for lr in run.layers]
    assert not [i for i in run.report.issues if i.code == "GEOM_MISSING" and i.layer in tables]


def test_convert_theme_flood_with_extra_formats(data_copy, tmp_path):
    """The CNIG product plus the ordinary formats: tables stay tables, a multi-layer GeoPackage moves once."""
    import json

    from odl_geo.cli.main import main

    src = data_copy("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip")
    out = tmp_path / "out"
    assert main(["convert", str(src), "--theme", "flood", "--to", "gpkg,geojson,csv", "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"] for f in manifest["files"]}
    assert "pprn_38ddt20200002.gpkg" in files and "pprn_38ddt20200002_zonereglementaireurba_s.geojson" in files
    procedure = [f for f in manifest["files"] if f["layer"].endswith("_procedure")]
    assert procedure and all(f["crs"] is None for f in procedure)  # a table, not a layer without CRS
    assert all((out / name).is_file() for name in files)


def test_every_flood_message_reaches_the_french_report_in_french(data_copy, tmp_path):
    """The real DDT38 draft (validator codes, the three registered checks) and two COVADIS zips."""
    from odl_geo.reports.labels import code_title
    from odl_geo.theme import write_reports

    seen: set[str] = set()
    for rel in (
        "flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg",
        "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip",
        "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip",
    ):
        run = check_theme(data_copy(rel), "flood")
        ppr = [i for i in run.report.issues if i.code.startswith("PPR_")]
        untranslated = [(i.code, i.message) for i in ppr if not i.message_fr or (i.hint and not i.hint_fr)]
        assert untranslated == []
        assert [i.code for i in ppr if code_title(i.code, "fr") == i.code] == []  # every code has a title
        seen |= {i.code for i in ppr}
        write_reports(run, tmp_path / rel.split("/")[1], "fr")
    assert {"PPR_ALEA_LEVEL_OVERLAP", "PPR_ZONEREG_OVERLAP", "PPR_MICRO_SURFACE", "PPR_COLUMN_MISNAMED"} <= seen
    assert len(seen) >= 15
    html = (tmp_path / "ddt38_pprm_cnig_gpkg" / "report.html").read_text(encoding="utf-8")
    assert "se superposent" in html and "micro-surfaces" in html and "mal orthographié" in html
    assert "overlap (more than" not in html and "Rename the column" not in html
