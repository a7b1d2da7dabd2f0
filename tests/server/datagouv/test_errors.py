"""udata's real error answers, translated to one clear message naming the dataset/resource, with a hint."""

from __future__ import annotations

import logging
import time

import pytest

from odl_geo.errors import AuthError, InputError, RemoteError
from odl_geo.publishers.datagouv import PublishOptions, publish_outputs

from .conftest import make_client

pytestmark = pytest.mark.server


def writes(entries):
    return [e for e in entries if e["method"] in ("POST", "PUT", "DELETE")]


def assert_no_secret(exc, *secrets):
    text = " ".join([str(exc), exc.message, exc.hint, exc.details, repr(exc.to_dict())])
    for secret in secrets:
        assert secret not in text


@pytest.fixture
def published(udata, client, outputs):
    folder = outputs("water")
    result = publish_outputs(
        folder, client, PublishOptions(organization=udata.info["ORG_ID"], dataset_key="errors", formats=("csv",))
    )
    return folder, result


def test_wrong_key_is_401_with_a_hint_and_never_shown(udata, outputs, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "udata_" + "x" * 60
    bad = make_client(udata.site, wrong)
    with pytest.raises(AuthError) as info:
        publish_outputs(outputs("water"), bad, PublishOptions(organization=udata.info["ORG_SLUG"]))
    assert info.value.status == 401
    assert "HTTP 401" in info.value.message and "Invalid API token" in info.value.message
    assert "ODL_DATAGOUV_API_KEY" in info.value.hint
    assert_no_secret(info.value, wrong)
    assert wrong not in caplog.text
    assert "***" in repr(bad)


def test_user_outside_the_organization_gets_403_naming_the_dataset(udata, published):
    _folder, result = published
    other = make_client(udata.site, udata.info["OTHER_API_KEY"])
    with pytest.raises(AuthError) as info:
        other.update_dataset(result.dataset_id, {"title": "hijack"}, "VilleMTP MTP Fontaines")
    assert info.value.status == 403
    assert "update dataset 'VilleMTP MTP Fontaines'" in info.value.message and result.dataset_id in info.value.message
    assert "member" in info.value.hint
    assert_no_secret(info.value, udata.info["OTHER_API_KEY"], udata.info["API_KEY"])


def test_creating_in_an_organization_one_is_not_member_of(udata, outputs):
    other = make_client(udata.site, udata.info["OTHER_API_KEY"])
    with pytest.raises(AuthError) as info:
        publish_outputs(outputs("water"), other, PublishOptions(organization=udata.info["ORG_SLUG"]))
    # udata answers 400 {"errors": {"organization": ["Permission denied for this organization"]}}
    assert info.value.status == 400
    assert "organization: Permission denied" in info.value.message and "create dataset" in info.value.message
    assert "member" in info.value.hint


def test_unknown_dataset_is_404_naming_the_file(udata, client, outputs):
    folder = outputs("water")
    with pytest.raises(RemoteError) as info:
        client.upload_file(
            "000000000000000000000000",
            folder / "VilleMTP_MTP_Fontaines.csv",
            name="VilleMTP_MTP_Fontaines.csv",
            dataset_title="Gone",
        )
    assert info.value.status == 404
    assert "upload 'VilleMTP_MTP_Fontaines.csv' to dataset 'Gone'" in info.value.message
    assert "does not exist" in info.value.hint
    assert client.dataset("does-not-exist") is None  # reads: absence is None, not an error


def test_unknown_organization_is_404(udata, client, outputs):
    with pytest.raises(RemoteError, match=r"find organization 'no-such-org' \(HTTP 404") as info:
        publish_outputs(outputs("water"), client, PublishOptions(organization="no-such-org"))
    assert info.value.status == 404


def test_validation_400_names_the_field(udata, client, outputs):
    mark = udata.mark()
    with pytest.raises(RemoteError) as info:
        publish_outputs(
            outputs("water"),
            client,
            PublishOptions(organization=udata.info["ORG_ID"], dataset_key="bad-zone", zones=("fr:commune:99999",)),
        )
    assert info.value.status == 400
    assert "spatial.zones: Unknown geoid(s): fr:commune:99999" in info.value.message
    assert "create dataset 'VilleMTP MTP Fontaines'" in info.value.message
    assert [e["status"] for e in writes(udata.requests_since(mark))] == [400]  # nothing half-created


@pytest.mark.parametrize(
    ("change", "pattern"),
    [({"license": "cc-by-sa-99"}, r"Licence 'cc-by-sa-99' is unknown"), ({"frequency": "sometimes"}, "frequency")],
)
def test_unknown_licence_or_frequency_is_refused_before_any_write(udata, client, outputs, change, pattern):
    # udata itself would turn an unknown licence into "notspecified" silently (201)
    mark = udata.mark()
    with pytest.raises(InputError, match=pattern) as info:
        publish_outputs(outputs("water"), client, PublishOptions(organization=udata.info["ORG_ID"], **change))
    assert "lov2" in info.value.hint or "annual" in info.value.hint
    assert writes(udata.requests_since(mark)) == []


def test_file_type_udata_refuses_gives_the_extension_list(udata, client, published, tmp_path):
    _folder, result = published
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    with pytest.raises(RemoteError) as info:
        client.upload_file(result.dataset_id, exe, name="tool.exe", dataset_title="VilleMTP MTP Fontaines")
    assert info.value.status == 400 and "file type is not allowed" in info.value.message
    assert "/datasets/extensions/" in info.value.hint


def _start_of_a_second():
    time.sleep(1.0 - (time.time() % 1.0) + 0.02)


def test_same_name_within_a_second_is_retried_after_a_second(udata, published):
    folder, result = published
    csv = folder / "VilleMTP_MTP_Fontaines.csv"
    rid = result.steps[1].id
    client = make_client(udata.site, udata.info["API_KEY"])  # real sleep
    _start_of_a_second()
    client.upload_file(result.dataset_id, csv, name=csv.name, dataset_title="t", resource_id=rid)
    mark = udata.mark()
    res = client.upload_file(result.dataset_id, csv, name=csv.name, dataset_title="t", resource_id=rid)
    assert res is not None and res.id == rid
    assert [e["status"] for e in udata.requests_since(mark)] in ([500, 200], [200])


def test_a_real_500_is_reported_with_a_rerun_hint(udata, published):
    folder, result = published
    csv = folder / "VilleMTP_MTP_Fontaines.csv"
    rid = result.steps[1].id
    hurried = make_client(udata.site, udata.info["API_KEY"], sleep=lambda _s: None)  # no wait: the 500 stays
    _start_of_a_second()
    hurried.upload_file(result.dataset_id, csv, name=csv.name, dataset_title="Fontaines", resource_id=rid)
    with pytest.raises(RemoteError) as info:
        hurried.upload_file(result.dataset_id, csv, name=csv.name, dataset_title="Fontaines", resource_id=rid)
    assert info.value.status == 500
    assert f"replace the file of resource {rid}" in info.value.message and "'Fontaines'" in info.value.message
    assert "re-run" in info.value.hint


def test_a_write_without_key_fails_before_sending(udata, outputs):
    anonymous = make_client(udata.site, None)
    mark = udata.mark()
    with pytest.raises(AuthError, match=r"No data\.gouv\.fr API key"):
        publish_outputs(outputs("water"), anonymous, PublishOptions(organization=udata.info["ORG_ID"]))
    assert writes(udata.requests_since(mark)) == []


def test_output_folder_without_manifest(client, tmp_path):
    with pytest.raises(InputError, match=r"has no manifest\.json"):
        publish_outputs(tmp_path, client, PublishOptions(organization="x"))


def test_413_from_the_front_server_names_the_file_and_says_to_lower_the_chunk_size(udata, proxy, outputs):
    """data.gouv.fr's front servers refuse a body over their limit with nginx's HTML 413 page (udata never sees
    the request); the fault proxy answers exactly that at the upload of the file."""
    from .faultproxy import Fault

    proxy.faults = [Fault("POST", r"/upload/$", "413")]
    client = make_client(proxy.url, udata.info["API_KEY"])
    options = PublishOptions(organization=udata.info["ORG_ID"], dataset_key="err-413", formats=("csv",))
    folder = outputs("water")
    with pytest.raises(RemoteError) as info:
        publish_outputs(folder, client, options)
    host = proxy.url.split("://", 1)[1]
    assert info.value.status == 413
    assert info.value.message.startswith(f"{host} refused to upload 'VilleMTP_MTP_Fontaines.csv' to dataset ")
    assert info.value.message.endswith("(HTTP 413).")  # an HTML body: no udata detail to quote
    assert "lower --chunk-size" in info.value.hint
    assert udata.info["API_KEY"] not in info.value.message + info.value.details
    result = publish_outputs(folder, client, options)  # the re-run completes, without duplicates
    assert [s.outcome.value for s in result.steps] == ["updated", "created"]  # the file, then opened
    assert "opened" in result.steps[0].note


def test_415_names_the_file_and_gives_the_extension_list(udata, proxy, outputs):
    from .faultproxy import Fault

    proxy.faults = [Fault("POST", r"/upload/$", "415")]
    client = make_client(proxy.url, udata.info["API_KEY"])
    options = PublishOptions(organization=udata.info["ORG_ID"], dataset_key="err-415", formats=("csv",))
    with pytest.raises(RemoteError) as info:
        publish_outputs(outputs("water"), client, options)
    assert info.value.status == 415
    assert "refused to upload 'VilleMTP_MTP_Fontaines.csv' to dataset " in info.value.message
    assert info.value.message.endswith("(HTTP 415: Unsupported Media Type: this file type is not accepted).")
    assert "/datasets/extensions/" in info.value.hint and "--formats" in info.value.hint
