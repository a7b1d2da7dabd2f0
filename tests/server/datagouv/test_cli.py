"""``odl-geo publish datagouv`` against the real udata: dry run, real run, exit codes, the key never printed."""

from __future__ import annotations

import json

import pytest

from odl_geo.cli.main import main

pytestmark = pytest.mark.server


def writes(entries):
    return [e for e in entries if e["method"] in ("POST", "PUT", "DELETE")]


@pytest.fixture
def key_env(udata, monkeypatch):
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", udata.info["API_KEY"])
    return udata.info["API_KEY"]


def run(capsys, *argv):
    code = main(["publish", "datagouv", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_the_writes_without_the_key_and_changes_nothing(udata, key_env, outputs, capsys):
    folder = outputs("hiking")
    mark = udata.mark()
    code, out, err = run(
        capsys, str(folder), "--org", udata.info["ORG_SLUG"], "--url", udata.site, "--dataset-key", "cli-dry",
        "--tag", "randonnée", "--zone", "fr:departement:48", "--schema", "PnX-SI/schema_randonnee@1.1.0",
        "--wms-url", "https://carto.example.org/ows", "--dry-run",
    )  # fmt: skip
    assert code == 0, err
    assert writes(udata.requests_since(mark)) == []
    assert key_env not in out + err
    lines = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert lines[0].startswith(f"POST {udata.api}/datasets/ json=")
    create = json.loads(lines[0].split(" json=", 1)[1])
    assert create["organization"] == udata.info["ORG_ID"] and create["private"] is True
    assert create["extras"] == {"odl_geo_key": "cli-dry"} and create["tags"] == ["randonnee"]
    assert create["spatial"] == {"zones": ["fr:departement:48"]}
    stem = json.loads((folder / "manifest.json").read_text())["files"][0]["path"].split(".")[0]
    uploads = [line for line in lines if f"/datasets/{{new-dataset-id}}/upload/ multipart file=({stem}." in line]
    assert len(uploads) == 4  # gpkg, geojson, shp.zip, csv
    assert any('"schema": {"name": "PnX-SI/schema_randonnee", "version": "1.1.0"}' in line for line in lines)
    assert any('"format": "ogc:wms"' in line for line in lines)
    assert lines[-1].startswith("PUT") and '"private": false' in lines[-1]


def test_publish_then_rerun_json_and_exit_codes(udata, key_env, outputs, capsys):
    folder = outputs("water")
    args = [str(folder), "--org", udata.info["ORG_SLUG"], "--url", udata.site, "--dataset-key", "cli-run"]
    code, out, _err = run(capsys, *args, "--formats", "csv,geojson", "--json")
    assert code == 0
    first = json.loads(out)
    assert first["outcome"] == "created" and first["counts"] == {"created": 3}
    code, out, _err = run(capsys, *args, "--formats", "csv,geojson")
    assert code == 0
    assert "dataset unchanged" in out and "0 bytes uploaded" in out and key_env not in out
    code, out, _err = run(capsys, *args, "--formats", "csv,geojson", "--dry-run")
    assert code == 0 and "0 write requests would be sent" in out


def test_bad_key_exits_6_with_hint_and_without_the_key(udata, outputs, capsys, monkeypatch):
    wrong = "udata_" + "w" * 60
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", wrong)
    code, out, err = run(capsys, str(outputs("water")), "--org", udata.info["ORG_SLUG"], "--url", udata.site)
    assert code == 6
    assert "HTTP 401" in err and "ODL_DATAGOUV_API_KEY" in err and wrong not in out + err


def test_no_key_exits_6_before_any_request(udata, outputs, capsys, monkeypatch):
    monkeypatch.delenv("ODL_DATAGOUV_API_KEY", raising=False)
    mark = udata.mark()
    code, _out, err = run(capsys, str(outputs("water")), "--org", udata.info["ORG_SLUG"], "--url", udata.site)
    assert code == 6 and "No data.gouv.fr API key" in err
    assert udata.requests_since(mark) == []


def test_credentials_file_and_bad_option(udata, outputs, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("ODL_DATAGOUV_API_KEY", raising=False)
    cred = tmp_path / "cred.toml"
    cred.write_text(f'[datagouv]\napi_key = "{udata.info["API_KEY"]}"\n')
    cred.chmod(0o600)
    folder = outputs("water")
    base = [str(folder), "--org", udata.info["ORG_ID"], "--url", udata.site, "--credentials", str(cred)]
    code, _out, err = run(capsys, *base, "--dataset-key", "cli-cred", "--formats", "csv")
    assert code == 0, err
    code, _out, err = run(capsys, *base, "--license", "nope")
    assert code == 2 and "Licence 'nope' is unknown" in err


def test_ca_bundle_of_a_private_pki(udata, key_env, outputs, capsys, tmp_path, monkeypatch):
    """udata behind a TLS front whose certificate a private CA signed: refused without --ca-bundle (verification
    stays on), published with it, even when REQUESTS_CA_BUNDLE names the system bundle (requests lets that
    variable override a session's bundle); a missing bundle file is refused before any request."""
    import certifi

    from .faultproxy import FaultProxy, make_tls_context

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())

    ctx, ca = make_tls_context(tmp_path)
    front = FaultProxy(udata.site, ssl_context=ctx)
    try:
        folder = outputs("water")
        args = [str(folder), "--org", udata.info["ORG_ID"], "--url", front.url, "--dataset-key", "cli-tls",
                "--formats", "csv"]  # fmt: skip
        code, _out, err = run(capsys, *args)
        assert code == 4, err  # NetworkError
        assert "TLS certificate check failed" in err and "--ca-bundle" in err
        code, _out, err = run(capsys, *args, "--ca-bundle", str(ca))
        assert code == 0, err
        assert any(method == "POST" and "/upload/" in path for method, path, _ in front.log)
        code, _out, err = run(capsys, *args, "--ca-bundle", str(tmp_path / "missing.pem"))
        assert code == 2 and "missing.pem does not exist" in err
    finally:
        front.close()
