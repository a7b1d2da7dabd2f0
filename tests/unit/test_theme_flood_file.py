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
