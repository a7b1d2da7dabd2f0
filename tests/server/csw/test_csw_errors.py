"""Failures of `odl-geo publish csw`, each with its exit code from docs/errors.md, and no secret in any output."""

from __future__ import annotations

import json
import shutil
import socket

import pytest

from odl_geo.cli.main import main
from odl_geo.credentials import Credentials
from odl_geo.errors import AuthError, RemoteError
from odl_geo.publishers.csw import CswRecord, load_record, publish_record

from .conftest import SAMPLE

pytestmark = pytest.mark.server

USER, PASSWORD = "editeur", "S3cret-csw-Pa55"


@pytest.fixture
def folder(theme_folders):
    """The water theme's output folder with its INSPIRE-complete metadata.xml."""
    return theme_folders["water"]


def ident(folder):
    return load_record(folder).identifier


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch):
    monkeypatch.delenv("ODL_CSW_USER", raising=False)
    monkeypatch.delenv("ODL_CSW_PASSWORD", raising=False)


def cli(capsys, *argv):
    code = main(["publish", "csw", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_server_down_is_exit_4(capsys, folder):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = cli(capsys, folder, "--url", f"http://127.0.0.1:{port}/csw", "--json")
    assert code == 4
    assert json.loads(out)["error"] == "NetworkError"
    assert f"Cannot reach http://127.0.0.1:{port}/csw" in err


def test_exception_report_with_http_200_is_exit_5(capsys, folder, start_csw):
    csw = start_csw("--no-transactions")  # discovery works, CSW-T answers an ows:ExceptionReport with HTTP 200
    code, out, _err = cli(capsys, folder, "--url", csw.url, "--json")
    assert code == 5
    error = json.loads(out)
    assert error["error"] == "RemoteError" and error["status"] == "200"
    assert f"CSW {csw.url} Transaction Insert '{ident(folder)}' failed: ExceptionReport" in error["message"]
    assert "Transaction" in error["message"].split("ExceptionReport", 1)[1]  # pycsw's own text is quoted
    # nothing was stored
    assert csw.client().get_record(ident(folder)) is None


def test_transactions_refused_for_this_address_is_exit_5(start_csw):
    csw = start_csw("--allowed-ips", "10.9.9.9")
    with pytest.raises(RemoteError, match=r"ExceptionReport.*(?i:unauthorized|not allowed|allowed)") as info:
        publish_record(csw.client(), CswRecord.from_xml(SAMPLE.read_bytes()))
    assert info.value.exit_code == 5


def test_wrong_password_is_exit_6_and_never_shown(capsys, folder, start_csw, monkeypatch, tmp_path):
    csw = start_csw("--basic-auth-env", "CSW_BASIC", env={"CSW_BASIC": f"{USER}:{PASSWORD}"})
    monkeypatch.setenv("ODL_CSW_USER", USER)
    monkeypatch.setenv("ODL_CSW_PASSWORD", "wrong-" + PASSWORD)
    code, out, err = cli(capsys, folder, "--url", csw.url, "--verbose")
    assert code == 6
    assert "refused the credentials (401)" in err and "ODL_CSW_USER" in err
    assert PASSWORD not in out + err
    # without credentials: 401 too
    monkeypatch.delenv("ODL_CSW_USER")
    monkeypatch.delenv("ODL_CSW_PASSWORD")
    code, out, err = cli(capsys, folder, "--url", csw.url, "--json")
    assert code == 6 and json.loads(out)["error"] == "AuthError"
    # the right ones, from the credentials file: published (HTTP Basic really sent)
    creds = tmp_path / "credentials.toml"
    creds.write_text(f'[csw]\nusername = "{USER}"\npassword = "{PASSWORD}"\n')
    creds.chmod(0o600)
    code, out, err = cli(capsys, folder, "--url", csw.url, "--credentials", creds, "--json", "--verbose")
    assert code == 0, err
    assert json.loads(out)["outcome"] == "created"
    assert PASSWORD not in out + err


def test_auth_error_class_from_the_library(start_csw):
    csw = start_csw("--basic-auth-env", "CSW_BASIC", env={"CSW_BASIC": f"{USER}:{PASSWORD}"})
    client = csw.client(Credentials(USER, "nope"))
    with pytest.raises(AuthError) as info:
        client.get_record("x")
    assert info.value.status == 401 and "nope" not in str(info.value)


def test_not_a_csw_is_exit_5(capsys, folder, httpserver):
    httpserver.expect_request("/portal").respond_with_data("<html><body>Bienvenue</body></html>",
                                                           content_type="text/html")  # fmt: skip
    code, out, _err = cli(capsys, folder, "--url", httpserver.url_for("/portal"), "--json")
    assert code == 5
    assert "the answer is not a csw:GetRecordByIdResponse but <html> (text/html" in json.loads(out)["message"]


def test_missing_or_wrong_record_is_exit_2(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = cli(capsys, empty, "--url", "http://127.0.0.1:1/csw")
    assert code == 2 and "has no metadata.xml" in err
    bad = tmp_path / "bad.xml"
    bad.write_text("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>")
    code, _out, err = cli(capsys, bad, "--url", "http://127.0.0.1:1/csw")
    assert code == 2 and "is not an ISO 19139 record" in err
    no_id = tmp_path / "noid.xml"
    no_id.write_bytes(SAMPLE.read_bytes().replace(b"<gmd:fileIdentifier><gco:CharacterString>odl-geo-test-sample"
                                                  b"</gco:CharacterString></gmd:fileIdentifier>", b""))  # fmt: skip
    code, _out, err = cli(capsys, no_id, "--url", "http://127.0.0.1:1/csw")
    assert code == 2 and "has no gmd:fileIdentifier" in err


def test_record_failing_inspire_rules_is_exit_2_before_anything_is_sent(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(SAMPLE, out / "metadata.xml")  # schema-valid ISO 19139, but no INSPIRE theme, lineage, conformity...
    for name in ("LC_ALL", "LC_MESSAGES", "ODL_GEO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")  # a French terminal
    code, _out, err = cli(capsys, out, "--url", "http://127.0.0.1:1/csw")  # nothing listens: exit 4 if it sent
    assert code == 2
    assert "n'est pas conforme INSPIRE" in err and "odl-geo metadata" in err
    monkeypatch.setenv("LANG", "C.UTF-8")  # cron, CI logs
    code, _out, err = cli(capsys, out, "--url", "http://127.0.0.1:1/csw")
    assert code == 2
    assert "is not INSPIRE-compliant" in err and "odl-geo metadata" in err and "n'est pas" not in err


def test_half_credentials_are_refused(capsys, folder, monkeypatch):
    monkeypatch.setenv("ODL_CSW_USER", USER)
    code, _out, err = cli(capsys, folder, "--url", "http://127.0.0.1:1/csw")
    assert code == 2 and "Incomplete CSW credentials" in err
