"""What the detection service answers, reports and logs, on SQLite and PostgreSQL: the CLI's sentence
explaining each match; the reasons a picture could not be (fully) checked; refused near hits; warnings on
an animated picture; hash-only near hits the smooth-picture check cannot judge."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from footprint.banks.inputs import HashQuery
from footprint.banks.service import DetectionService, Submission
from footprint.demo import picture, png_bytes
from footprint.hashers.pdq import PdqHasher
from footprint.model import Category, KnownEntry
from footprint.store import open_store


@pytest.fixture
def service(sql_url):
    store = open_store(sql_url)
    service = DetectionService(store)
    yield service
    service.stop()
    store.close()


def start(service: DetectionService, entries: list[KnownEntry], threshold: int = 31) -> None:
    service.banks.create_bank("known", threshold)
    service.banks.add_entries("known", entries)
    service.start()


def pdq(image: Image.Image):
    return PdqHasher().hash_image(image)


def test_a_near_match_says_how_in_the_answer_and_the_report(service):
    image = picture(3)
    start(service, [KnownEntry(pdq=pdq(image).value, label="demo 3", category=Category.parse("uk:A"))])
    answer = service.match_content(None, png_bytes(image.rotate(90, expand=True)), Submission(reference="r-1"))
    [match] = answer["matches"]
    assert match["how"].startswith(f"near: PDQ distance {match['distance']} of at most 31, item is the picture "
                                   f"turned 90°") and "(PDQ variant rotate" in match["how"]
    assert match["details"]["variant"] in (1, 3) and match["details"]["threshold"] == 31  # the old fields stay
    report = service.records.get_report(answer["report_id"]).to_json()
    assert report["matches"][0]["how"] == match["how"]


def sine(fx: float, fy: float, phase: float) -> Image.Image:
    """A smooth sine-stripe picture (as bench_smooth draws them): PDQ quality 100, a hash on few coefficients."""
    y, x = np.mgrid[0:480, 0:640].astype(float)
    s = (np.sin(x * fx + y * fy + phase) + 1) * 127
    return Image.fromarray(np.clip(np.stack([s, s * 0.8, s * 0.6], -1), 0, 255).astype(np.uint8))


def hook_calls(service: DetectionService) -> list[object]:
    sent: list[object] = []
    service.records.add_webhook("platform", "http://127.0.0.1:9/hook", "s" * 20)
    service.webhooks.submit = lambda webhook, payload: sent.append(payload)  # type: ignore[method-assign]
    return sent


def test_a_hash_only_near_hit_on_a_smooth_picture_is_unverified_never_reported(service):
    known, other = sine(0.0056, 0.0143, 0.19), sine(0.0084, 0.0155, 5.12)  # two different stripe pictures
    entry, item = pdq(known), pdq(other)
    distance = bin(int(entry.value, 16) ^ int(item.value, 16)).count("1")
    assert item.quality == entry.quality == 100 and distance == 26  # within PDQ's 31 bits
    start(service, [KnownEntry(pdq=entry.value, label="stripes", category=Category.parse("uk:A"))])
    sent = hook_calls(service)
    upload = service.match_content(None, png_bytes(other), Submission(reference="up-1"))
    assert upload["matches"] == [] and upload["unverified"] == []  # the picture's zoom check refuses it
    assert any(w.startswith("not a match: PDQ 26 bits from entry") and "smooth picture" in w
               for w in upload["warnings"])  # said, with the entry and why
    for value in (item.value, entry.value):  # a close hash, and even the identical one
        answer = service.match_hashes(None, HashQuery(pdq=value, pdq_quality=100), Submission(reference="up-2"))
        assert answer["matched"] is False and answer["matches"] == [] and answer["report_id"] is None
        [hit] = answer["unverified"]
        assert hit["label"] == "stripes" and hit["distance"] in (26, 0) and "/match/content" in hit["why"]
    assert service.records.list_reports() == [] and sent == []
    logged = service.records.recent_queries(2)
    assert [q["outcome"] for q in logged] == ["unverified", "unverified"]
    assert logged[0]["details"]["unverified"][0]["distance"] == 0


def test_exact_matches_on_hashes_alone_are_still_filed(service):
    start(service, [KnownEntry(md5="ab" * 16, pdq=pdq(picture(3)).value, label="demo 3")])
    answer = service.match_hashes(None, HashQuery(md5="ab" * 16), Submission())
    assert [m["kind"] for m in answer["matches"]] == ["exact"] and answer["report_id"] is not None


@pytest.mark.parametrize(("quality", "said"), [
    (0, "pdq quality 0 below 50: not used for near matching"),
    (44, "pdq quality 44 below 50: near-matched only within 20 bits"),
])
def test_a_hash_not_fully_usable_says_why(service, quality, said):
    start(service, [KnownEntry(md5="ab" * 16)])
    answer = service.match_hashes(None, HashQuery(pdq="f" * 32 + "0" * 32, pdq_quality=quality), Submission())
    assert answer["skipped"] == {"pdq": said}
    assert service.records.recent_queries(1)[0]["details"] == {"skipped": {"pdq": said}}


def test_a_flat_upload_says_it_could_not_be_checked_for_likeness(service):
    start(service, [KnownEntry(md5="ab" * 16)])
    flat = Image.new("RGB", (200, 200), (90, 120, 150))
    answer = service.match_content(None, png_bytes(flat), Submission())
    assert answer["skipped"]["pdq"] == "pdq quality 0 below 50: not used for near matching"
    assert answer["matched"] is False


def gif(frames: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def test_an_animated_upload_says_only_its_first_frame_was_hashed_in_answer_log_and_report(service):
    first = picture(3)
    start(service, [KnownEntry(pdq=pdq(first.convert("P").convert("RGB")).value, label="demo 3")])
    answer = service.match_content(None, gif([first, picture(4), picture(5)]), Submission())
    said = "GIF of 2 or more frames: perceptual hashes are of the first only"
    assert any(w.startswith(said) for w in answer["warnings"])
    assert any(w.startswith(said) for w in service.records.recent_queries(1)[0]["details"]["warnings"])
    assert answer["matched"]
    report = service.records.get_report(answer["report_id"]).to_json()
    assert any(w.startswith(said) for w in report["file"]["warnings"])


def test_the_same_submission_twice_is_reported_once(service):
    start(service, [KnownEntry(md5="ab" * 16, label="known")])
    sent = hook_calls(service)
    query = HashQuery(md5="ab" * 16)
    first = service.match_hashes(None, query, Submission(reference="upload-9"))
    again = service.match_hashes(None, HashQuery(md5="AB" * 16), Submission(reference="upload-9"))
    assert first["repeat"] is False and again["repeat"] is True and again["matched"] is True
    assert again["report_id"] == first["report_id"] and len(service.records.list_reports()) == 1 and len(sent) == 1
    assert service.records.recent_queries(1)[0]["details"] == {"repeat_of": first["report_id"]}
    other = service.match_hashes(None, query, Submission(reference="upload-10"))  # another upload: its own report
    unnamed = [service.match_hashes(None, query, Submission())["report_id"] for _ in range(2)]  # no reference
    someone = service.match_hashes(None, query, Submission(reference="upload-9", uploader={"user_id": "u-2"}))
    assert len({first["report_id"], other["report_id"], someone["report_id"], *unnamed}) == 5 and len(sent) == 5


def test_a_report_keeps_the_matched_entrys_hashes_after_the_entry_is_removed(service):
    start(service, [KnownEntry(md5="ab" * 16, sha256="cd" * 32, label="known")])
    answer = service.match_hashes(None, HashQuery(md5="ab" * 16), Submission(reference="u"))
    service.banks.remove_entries("known", "md5", ["ab" * 16])
    [match] = service.records.get_report(answer["report_id"]).to_json()["matches"]
    assert match["entry_hashes"] == {"md5": "ab" * 16, "sha256": "cd" * 32}
