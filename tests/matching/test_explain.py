"""Each kind of match is explained with the figures it rested on."""

from __future__ import annotations

from footprint.matching.explain import explain
from footprint.model import Match, MatchKind


def match(kind: MatchKind, algorithm: str, distance: int, **details: object) -> Match:
    return Match(hashset="known", entry_id=1, kind=kind, algorithm=algorithm, distance=distance, details=details)


def test_exact_names_every_agreeing_hash() -> None:
    text = explain(match(MatchKind.EXACT, "sha256", 0, algorithms=["sha256", "md5"]))
    assert text == "exact: SHA256, MD5 equal"


def test_pdq_names_distance_threshold_variant_and_quality() -> None:
    text = explain(match(MatchKind.NEAR, "pdq", 12, variant="flipx", quality=88, threshold=31))
    assert text == ("near: PDQ distance 12 of at most 31, item is the picture flipped upside down "
                    "(PDQ variant flipx), item quality 88")
    low = explain(match(MatchKind.NEAR, "pdq", 9, variant="original", quality=35, threshold=20, low_quality=True))
    assert low == "near: PDQ distance 9 of at most 20, item quality 35 (low-quality item: tighter distance)"


def test_pdq_variant_recorded_as_a_number_is_named() -> None:
    """The matcher records the variant's position; a reader must never see 'picture 5'."""
    plain = explain(match(MatchKind.NEAR, "pdq", 0, variant=0, quality=100, threshold=31))
    assert plain == "near: PDQ distance 0 of at most 31, item quality 100"
    mirrored = explain(match(MatchKind.NEAR, "pdq", 4, variant=5, quality=100, threshold=31))
    assert "item is the picture mirrored left to right (PDQ variant flipy)" in mirrored
    turned = explain(match(MatchKind.NEAR, "pdq", 6, variant=3, quality=90, threshold=31))
    assert "turned 90° anticlockwise (PDQ variant rotate270)" in turned


def test_demo_mirrored_and_rotated_copies_are_explained_in_words(cli, demo_scanned, tmp_path):
    import json
    out = tmp_path / "demo.jsonl"
    assert cli("export", "demo", "-o", str(out)).code == 0
    how = {json.loads(line)["ref"].split("/")[-1]: [m["how"] for m in json.loads(line)["matches"]]
           for line in out.read_text().splitlines()}
    assert len(how["mirrored.png"]) == 1
    assert "item is the picture mirrored left to right (PDQ variant flipy)" in how["mirrored.png"][0]
    assert "turned 90° anticlockwise" in how["rotated.jpg"][0]  # the demo turns it with PIL's rotate(90)
    assert not any("picture " + str(n) in h for hs in how.values() for h in hs for n in range(8))


def test_region_signature_names_the_path_and_each_region() -> None:
    text = explain(match(MatchKind.NEAR, "pdq-regions", 17, path="corners", regions={"tl": 17, "tr": 11}))
    assert text.startswith("near: region signature, two corner windows along one edge")
    assert "worst distance 17" in text and "tl 17, tr 11" in text
    weak = explain(match(MatchKind.NEAR, "pdq-regions", 12, path="full", regions={"full": 12}, mirrored=True,
                         low_quality=True))
    assert weak.endswith("(bits by region: full 12), picture mirrored "
                         "(regions of quality 20-49 counted: tighter distance)")


def test_region_signature_says_why_neither_picture_is_smooth() -> None:
    text = explain(match(MatchKind.NEAR, "pdq-regions", 10, path="reframed", regions={"full~inner": 10},
                         detail={"item_zoom": 58, "entry_zoom": 64, "separable": 0.52}))
    assert text.endswith("(bits by region: full~inner 10); neither a smooth picture: their hashes move 58 and 64 "
                         "bits over 5% zooms (at least 44), the regions used are at most 0.52 separable (at most 0.8)")


def test_loosest_region_paths_say_what_more_they_needed() -> None:
    text = explain(match(MatchKind.NEAR, "pdq-regions", 40, path="regions", regions={"tl": 30, "tr": 40, "bl": 36},
                         detail={"item_zoom": 48, "entry_zoom": 60, "separable": 0.54, "item_corners": 118,
                                 "entry_corners": 120}))
    assert "move 48 and 60 bits over 5% zooms (at least 44)" in text
    assert text.endswith("their corner windows at least 118 and 120 bits apart (at least 90)")
    text = explain(match(MatchKind.NEAR, "pdq-regions", 24, path="reframed", regions={"full~inner": 24},
                         detail={"item_zoom": 80, "entry_zoom": 90, "separable": 0.5}))
    assert "(at least 72)" in text  # a single reframing pair over 20 bits needs clear detail
    text = explain(match(MatchKind.NEAR, "pdq-regions", 30, path="reframed", mirrored=True,
                         regions={"full~inner": 24, "center~center80": 30},
                         detail={"item_zoom": 60, "entry_zoom": 90, "separable": 0.5}))
    assert "(at least 44)" in text  # the mirrored form's confirming pair instead


def test_video_names_the_share_of_frames() -> None:
    text = explain(match(MatchKind.NEAR, "vpdq", 4, query_percent=82.5, target_percent=91.0, frame_distance=31))
    assert text == ("near: vPDQ, median frame distance 4, 82% of this video's frames and 91% of the known "
                    "video's matched (frames within 31 bits)")
