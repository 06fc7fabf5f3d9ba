"""footprint links on two benign cases that share a picture, a camera, a place and a near copy."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from exif_pictures import camera_exif, camera_jpeg
from hasher_pictures import picture
from PIL import Image

from footprint.hashers.pdq import hamming, is_degenerate
from footprint.intel.links import PICTURE_DISTANCE, camera_key, haversine, links_for_case
from footprint.settings import Settings
from footprint.store import open_store

HOME = (51.5, -0.12)
METRES_PER_DEGREE = 6_371_008.8 * 3.141592653589793 / 180


def north(position: tuple[float, float], metres: float) -> tuple[float, float]:
    return position[0] + metres / METRES_PER_DEGREE, position[1]


def flat(taken: str) -> bytes:
    """A uniform grey picture: the same pixels (and PDQ) in both cases, different bytes (and SHA-256)."""
    out = io.BytesIO()
    exif = camera_exif(serial="0000000000", taken=taken)
    Image.new("RGB", (256, 256), (128, 128, 128)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def write_cases(tmp_path):
    shared = camera_jpeg(10, camera_exif(serial=None))
    resized = picture(320, 240, seed=16).resize((300, 225), Image.Resampling.LANCZOS)
    alpha = {"shared.jpg": shared,
             "own.jpg": camera_jpeg(11, camera_exif(make="NIKON", model="D750", serial="SN-777")),
             "place.jpg": camera_jpeg(12, camera_exif(serial=None, position=HOME)),
             "near.jpg": camera_jpeg(16, camera_exif(serial=None)),
             "flat.jpg": flat("2024:01:01 10:00:00"),
             "hostile.jpg": camera_jpeg(17, camera_exif(serial=None, gps={1: "N", 2: (95.0, 0.0, 0.0), 3: "E",
                                                                           4: (1.0, 0.0, 0.0)}))}
    beta = {"copy-of-shared.jpg": shared,
            "other.jpg": camera_jpeg(13, camera_exif(make=" nikon ", model="d750", serial=" sn-777\x00")),
            "place.jpg": camera_jpeg(14, camera_exif(serial=None, position=north(HOME, 50))),
            "far.jpg": camera_jpeg(15, camera_exif(serial=None, position=north(HOME, 5000))),
            "near.jpg": camera_jpeg(0, camera_exif(serial=None), image=resized),
            "flat.jpg": flat("2024:02:02 20:00:00")}
    for name, files in (("phone", alpha), ("laptop", beta)):
        folder = tmp_path / name
        folder.mkdir(parents=True)
        for file, data in files.items():
            (folder / file).write_bytes(data)
    return tmp_path / "phone", tmp_path / "laptop"


@pytest.fixture
def two_cases(cli, tmp_path):
    phone, laptop = write_cases(tmp_path / "evidence")
    for case, folder, jobs in (("alpha", phone, "1"), ("beta", laptop, "2")):  # in-process and worker pictures
        assert cli("case", "create", case).code == 0
        result = cli("scan", str(folder), "--case", case, "--jobs", jobs)
        assert result.code == 0, result.stderr
    return cli


def summary(lines):
    return sorted((link["kind"], *[(item["case"], item["ref"]) for item in link["items"]]) for link in lines)


def test_links_finds_the_shared_picture_the_camera_the_place_and_the_near_copy(two_cases):
    result = two_cases("links")
    assert result.code == 0, result.stderr
    lines = result.jsonl()
    assert summary(lines) == [
        ("camera", ("alpha", "phone/own.jpg"), ("beta", "laptop/other.jpg")),
        ("file", ("alpha", "phone/shared.jpg"), ("beta", "laptop/copy-of-shared.jpg")),
        ("picture", ("alpha", "phone/near.jpg"), ("beta", "laptop/near.jpg")),
        ("place", ("alpha", "phone/place.jpg"), ("beta", "laptop/place.jpg")),
    ]  # nothing from the flat pictures, their placeholder serials, the far place or the absurd GPS
    by_kind = {link["kind"]: link for link in lines}
    assert by_kind["camera"]["evidence"] == {"make": "nikon", "model": "d750", "serial": "sn-777"}
    assert by_kind["file"]["evidence"]["algorithm"] == "sha256" and len(by_kind["file"]["evidence"]["hash"]) == 64
    assert 0 < by_kind["picture"]["evidence"]["bits"] <= 16
    assert by_kind["place"]["evidence"]["metres"] == pytest.approx(50, abs=0.5)
    assert all(link["cross_case"] and link["cases"] == {"alpha": 1, "beta": 1} for link in lines)
    assert all(link["items"][0]["exhibit"] == "phone" for link in lines)
    assert two_cases("links").stdout == result.stdout  # deterministic


def test_radius_and_case_selection(two_cases):
    assert "place" not in {link["kind"] for link in two_cases("links", "--radius", "10").jsonl()}
    wide = [link for link in two_cases("links", "--radius", "6000").jsonl() if link["kind"] == "place"]
    assert sorted(link["items"][1]["ref"] for link in wide) == ["laptop/far.jpg", "laptop/place.jpg"]  # not one exhibit
    assert len(two_cases("links", "beta").jsonl()) == 4
    missing = two_cases("links", "nope")
    assert missing.code != 0 and missing.stderr.startswith("footprint: error:") and "nope" in missing.stderr
    assert two_cases("links", "--format", "xml").code != 0


def test_graphml_and_node_link_json_parse_back(two_cases, tmp_path):
    target = tmp_path / "links.graphml"
    assert two_cases("links", "--format", "graphml", "-o", str(target)).code == 0
    graph = nx.read_graphml(target, force_multigraph=True)
    assert graph.number_of_nodes() == 10 and graph.number_of_edges() == 6  # the file and the camera: nodes
    assert graph.nodes["alpha|phone/own.jpg"]["exhibit"] == "phone"
    assert graph.nodes["camera:nikon|d750|sn-777"]["type"] == "camera"
    kinds = sorted(data["kind"] for _, _, data in graph.edges(data=True))
    assert kinds == ["camera", "camera", "file", "file", "picture", "place"]
    camera = next(data for _, _, data in graph.edges(data=True) if data["kind"] == "camera")
    assert camera["evidence_serial"] == "sn-777" and json.loads(camera["evidence"])["model"] == "d750"
    data = json.loads(two_cases("links", "--format", "json").stdout)
    parsed = nx.node_link_graph(data, edges="links", multigraph=True)
    assert parsed.number_of_nodes() == 10 and parsed.number_of_edges() == 6
    reasons = ("known_good", "empty", "small", "blank_picture")  # every one, 0 where none (as documented)
    assert all(isinstance(graph.graph[f"set_aside_{r}"], int) for r in reasons)
    assert all(isinstance(parsed.graph[f"set_aside_{r}"], int) for r in reasons)


def test_exif_saved_and_hostile_exif_is_a_warning(two_cases, home):
    store = open_store(Settings.from_env(home=home).database_url)
    try:
        items = {r.ref: r for r in store.iter_items(store.get_case("alpha").id)}
        own = items["phone/own.jpg"].camera
        assert (own.make, own.model, own.serial, own.taken_text, own.taken_utc) == (
            "NIKON", "D750", "SN-777", "2024-05-01T12:30:00", None)
        hostile = items["phone/hostile.jpg"]
        assert hostile.digests.perceptual["pdq"].value  # still hashed
        assert hostile.camera.latitude is None and hostile.camera.make == "Canon"
        assert any(w.startswith("exif: ") and "latitude" in w for w in hostile.warnings)
        beta = {r.ref: r for r in store.iter_items(store.get_case("beta").id)}
        assert beta["laptop/place.jpg"].camera.latitude == pytest.approx(north(HOME, 50)[0], abs=1e-6)  # workers
        assert [link.kind for link in links_for_case(store, "alpha")] == ["file", "picture", "camera", "place"]
        flats = [items["phone/flat.jpg"].digests.perceptual["pdq"], beta["laptop/flat.jpg"].digests.perceptual["pdq"]]
        assert hamming(flats[0].value, flats[1].value) <= PICTURE_DISTANCE  # alike, yet never linked (degenerate)
        assert all(is_degenerate(pdq.value, pdq.quality) for pdq in flats)
    finally:
        store.close()


def test_camera_key_and_haversine():
    assert camera_key(" Canon ", "EOS 5D", " AB12 ") == ("canon", "eos 5d", "ab12")
    for placeholder in ("0", "0000000000", "Unknown", " ", None, "xxxx"):
        assert camera_key("Canon", "EOS", placeholder) is None
    assert haversine((0.0, 0.0), (0.0, 1.0)) == pytest.approx(111_195, rel=1e-4)
    assert haversine(HOME, north(HOME, 50)) == pytest.approx(50, abs=0.01)


def test_exports_carry_the_exif_fields(two_cases):
    items = {row["ref"]: row for row in two_cases("export", "alpha").jsonl()}
    assert items["phone/own.jpg"]["exif"]["serial"] == "SN-777" and items["phone/flat.jpg"]["exif"]["serial"]
    assert items["phone/place.jpg"]["exif"]["latitude"] == pytest.approx(HOME[0])
    rows = list(csv.DictReader(io.StringIO(two_cases("export", "alpha", "--format", "csv").stdout)))
    own = next(row for row in rows if row["ref"] == "phone/own.jpg")
    assert (own["exif_make"], own["exif_serial"], own["exif_taken_utc"]) == ("NIKON", "SN-777", "")


def test_one_file_in_three_cases_is_linked_as_the_same_file_only(cli, tmp_path):
    shared = camera_jpeg(10, camera_exif(serial=None))
    for case in ("ca", "cb", "cc"):
        folder = tmp_path / case
        folder.mkdir()
        (folder / f"{case}.jpg").write_bytes(shared)
        assert cli("case", "create", case).code == 0
        assert cli("scan", str(folder), "--case", case, "-q").code == 0
    found = [json.loads(line) for line in cli("links").stdout.splitlines()]
    assert [(link["kind"], link["cases"]) for link in found] == [
        ("file", {"ca": 1, "cb": 1, "cc": 1})]  # one group, every holder; no picture link between its copies


def test_a_known_good_mark_never_hides_a_matched_file_from_the_links():
    from footprint.intel.seen import seen
    from footprint.model import Digests, Match, MatchKind
    from footprint.store.base import ItemRecord, KnownGoodMark

    digests = Digests(size=10, crypto={"sha256": "ab" * 32})
    mark = (KnownGoodMark("nsrl", "sha256", conflict=True),)
    matched = ItemRecord("x.jpg", 10, "ok", digests=digests, known_good=mark, id=1,
                         matches=(Match("listA", 1, MatchKind.EXACT, "sha256", 0),))
    plain = ItemRecord("y.jpg", 10, "ok", digests=digests, known_good=(KnownGoodMark("nsrl", "sha256"),), id=2)
    assert seen("c", matched).links and seen("c", matched).file == ("sha256", "ab" * 32)
    assert not seen("c", plain).links  # every computer holds it: it links nobody
