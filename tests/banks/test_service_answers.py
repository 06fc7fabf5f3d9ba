"""What the detection service answers, reports and logs, on SQLite and PostgreSQL: the CLI's sentence
explaining each match; the reasons a picture could not be (fully) checked; refused near hits; warnings on
an animated picture; hash-only near hits the smooth-picture check cannot judge."""

from __future__ import annotations

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
