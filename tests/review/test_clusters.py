"""Near-duplicate clusters: a picture and its resized or recompressed copies are one cluster; identical
files are one cluster; flat pictures never cluster by PDQ; cluster ids are the smallest item id."""

from __future__ import annotations

import itertools
import random

from PIL import Image
from reviewdata import image_record, pictures, seed

from footprint.demo import png_bytes
from footprint.hashers.pdq import hamming, is_degenerate
from footprint.matching.registry import index_names
from footprint.review import clusters
from footprint.review.clusters import CLUSTER_DISTANCE, build_clusters


def _rows(records, start=1):
    for offset, r in enumerate(records):
        pdq = r.digests.perceptual["pdq"]
        yield start + offset, r.digests.crypto["sha256"], pdq.value, pdq.quality


def test_a_picture_and_its_copies_cluster_flat_pictures_never(seeded):
    found = clusters.case_clusters(seeded.store, seeded.case)
    ids = seeded.ids
    copies = sorted(ids[r] for r in ("ex/a.jpg", "ex/a-small.jpg", "ex/a-recompressed.jpg"))
    assert list(found.members.values()) == [copies]
    assert clusters.cluster_of(seeded.store, seeded.case, ids["ex/a-small.jpg"]) == (copies[0], 3)
    assert clusters.cluster_items(seeded.store, seeded.case, copies[0]) == copies
    for alone in ("ex/b.jpg", "ex/white.png", "ex/grey.png"):
        assert found.cluster_of(ids[alone]) == (None, 1)


def test_the_threshold_is_tight_and_the_resized_copy_within_it():
    records = pictures()
    first, small = (r.digests.perceptual["pdq"].value for r in records[:2])
    assert hamming(first, small) <= CLUSTER_DISTANCE < 31
    assert build_clusters(_rows(records[:2]), distance=hamming(first, small) - 1).members == {}


def test_flat_pictures_with_identical_pdq_never_cluster_but_identical_files_do():
    white = Image.new("RGB", (300, 200), (255, 255, 255))
    records = [image_record("w1.png", png_bytes(white)), image_record("w2.png", png_bytes(white.resize((200, 100)))),
               image_record("w3.png", png_bytes(white))]
    assert records[0].digests.perceptual["pdq"].value == records[1].digests.perceptual["pdq"].value
    found = build_clusters(_rows(records))
    assert found.members == {1: [1, 3]}  # w1 and w3 are the same bytes; w2 only looks alike


def test_cluster_ids_are_the_smallest_member_and_stable_under_input_order():
    records = pictures()[:3]
    forward = build_clusters(_rows(records, start=10))
    backward = build_clusters(reversed(list(_rows(records, start=10))))
    assert forward == backward and forward.members == {10: [10, 11, 12]}


def test_clusters_are_of_one_case_and_follow_new_items(store):
    one = seed(store, "one", pictures()[:2])
    other = seed(store, "two", pictures()[2:3], exhibit="ex2")
    assert len(clusters.case_clusters(store, one.case).members) == 1
    assert clusters.case_clusters(store, other.case).members == {}
    exhibit = store.find_exhibit(other.case.id, "ex2")
    store.save_items(exhibit.id, pictures()[:1])
    assert len(clusters.case_clusters(store, other.case).members) == 1


def _flip(value: str, bits: list[int]) -> str:
    number = int(value, 16)
    for bit in bits:
        number ^= 1 << bit
    return f"{number:064x}"


def test_clusters_equal_an_all_pairs_reference_at_the_threshold():
    """Random balanced hashes and copies 1 to 24 bits off (many right at the threshold), clustered through
    the index, against every pair compared directly."""
    rng = random.Random(5)
    hashes: list[str] = []
    while len(hashes) < 300:
        value = f"{rng.getrandbits(256):064x}"
        if not is_degenerate(value, 100):
            hashes.append(value)
    offsets = [1, 8, CLUSTER_DISTANCE - 1, CLUSTER_DISTANCE, CLUSTER_DISTANCE + 1, 24]
    for i in range(200):
        copy = _flip(hashes[i % 300], rng.sample(range(256), rng.choice(offsets)))
        if not is_degenerate(copy, 100):  # degenerate hashes never cluster (tested above)
            hashes.append(copy)
    rows = [(i + 1, None, h, 100) for i, h in enumerate(hashes)]
    parent = list(range(len(hashes) + 1))

    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in itertools.combinations(range(1, len(hashes) + 1), 2):
        if hamming(hashes[a - 1], hashes[b - 1]) <= CLUSTER_DISTANCE:
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
    groups = {}
    for i in range(1, len(hashes) + 1):
        groups.setdefault(root(i), []).append(i)
    reference = {r: g for r, g in groups.items() if len(g) > 1}
    assert reference and build_clusters(rows).members == reference
    for name in index_names():  # every index of matching, whichever the size picks
        assert build_clusters(rows, index=name).members == reference, name
