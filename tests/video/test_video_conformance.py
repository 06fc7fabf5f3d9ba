"""footprint's vPDQ against the reference: per-frame hashes of the sample videos, and the matches
between them. The reference hashed every frame at full size; we hash at the defaults (1 fps, frames
shrunk by a whole factor to at most 720 px) and compare the frames we sampled with the reference's
line for the same frame number, so the test checks what a scan actually produces."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SAMPLE_VIDEOS
from footprint.hashers.vpdq import VideoFrame, VpdqHasher
from footprint.matching.video import compare

TOLERANCE = 31  # the reference's frame match distance


def _distances(ours: tuple[VideoFrame, ...], reference: tuple[VideoFrame, ...]) -> list[int]:
    by_number = {f.number: f for f in reference}
    return [(int(f.pdq, 16) ^ int(by_number[f.number].pdq, 16)).bit_count()
            for f in ours if by_number[f.number].quality >= 50]


def test_sampled_frames_agree_with_the_reference(sample_digests, reference_hashes) -> None:
    everything: list[int] = []
    for name, digest in sample_digests.items():
        reference = reference_hashes[name]
        assert digest.warnings == (), name  # clean files must not be reported as damaged
        assert [f.number % 30 for f in digest.frames] == [0] * len(digest.frames), name  # 30 fps, 1 a second
        by_number = {f.number: f for f in reference}
        for frame in digest.frames:
            assert frame.timestamp == pytest.approx(by_number[frame.number].timestamp, abs=0.001)
            assert abs(frame.quality - by_number[frame.number].quality) <= 10, (name, frame)
        distances = _distances(digest.frames, reference)
        assert np.median(distances) <= 8, (name, distances)
        everything += distances
    share = np.mean(np.array(everything) <= TOLERANCE)
    print(f"\n{len(everything)} frames: {share:.1%} within {TOLERANCE} bits, median {np.median(everything)}, "
          f"max {max(everything)}")
    assert share >= 0.99


def test_every_frame_hashing_lines_up_with_the_reference(reference_hashes) -> None:
    """interval=0 hashes every frame, as the reference's files were made: same count, frame numbers
    and timestamps, and nearly the same bits (1080 px frames shrunk by 2, as scans do)."""
    reference = reference_hashes["test-padded-dimensions"]
    digest = VpdqHasher(interval=0, prune_distance=None).hash_video(
        SAMPLE_VIDEOS / "test-padded-dimensions.mp4")
    assert [f.number for f in digest.frames] == [f.number for f in reference]
    assert [round(f.timestamp, 3) for f in digest.frames] == [round(f.timestamp, 3) for f in reference]
    distances = _distances(digest.frames, reference)
    print(f"\nevery frame: median {np.median(distances)}, max {max(distances)}")
    assert np.median(distances) <= 6 and max(distances) <= 16


CHAIRS = ("chair-19-sd-bar", "chair-20-sd-bar", "chair-22-sd-grey-bar", "chair-22-sd-sepia-bar",
          "chair-22-with-small-logo-bar", "chair-orig-22-sd-bar")
PATTERNS = ("pattern-hd-no-bar", "pattern-longer-no-bar", "pattern-sd-grey-bar",
            "pattern-sd-with-large-logo-bar", "pattern-sd-with-small-logo-bar")


@pytest.mark.parametrize("query", CHAIRS)
def test_chair_variants_match_the_reference_hashes_of_each_other(query, sample_digests, reference_hashes):
    """A scanned chair video (1 fps) against each other chair variant's reference file as the known
    video: re-encoded, grey, sepia, small logo and letterbox bars all match."""
    for known in CHAIRS:
        comparison = compare(sample_digests[query].frames, reference_hashes[known])
        assert comparison.rule() is not None, (query, known, comparison)
        assert comparison.query_percent >= 80


def test_chair_22_variants_match_each_other_both_ways_at_one_frame_a_second(sample_digests) -> None:
    """The same cut in different dress, both sides hashed by footprint at 1 fps: every pair passes
    both shares. (chair-19 is a different cut: its 1 fps samples fall between these videos' samples
    and move more than 31 bits; it matches them only against densely hashed known videos, above.)"""
    same_cut = [n for n in CHAIRS if n != "chair-19-sd-bar"]
    for query in same_cut:
        for known in same_cut:
            comparison = compare(sample_digests[query].frames, sample_digests[known].frames)
            assert comparison.rule() == "full", (query, known, comparison)


def test_no_pattern_video_matches_a_chair_video(sample_digests, reference_hashes) -> None:
    chairs = [n for n in sample_digests if n.startswith("chair-")]
    for pattern in (n for n in sample_digests if n.startswith("pattern-")):
        for chair in chairs:
            for a, b in ((pattern, chair), (chair, pattern)):
                ours = compare(sample_digests[a].frames, sample_digests[b].frames)
                against_reference = compare(sample_digests[a].frames, reference_hashes[b])
                assert ours.query_matched == ours.target_matched == 0, (a, b, ours)
                assert against_reference.rule() is None, (a, b, against_reference)


def test_large_logo_agrees_with_the_reference_verdict(sample_digests, reference_hashes) -> None:
    """The reference itself finds only ~10% of frames in common between the large-logo variant and
    the others (the logo covers much of the picture): we must not invent a match it does not make."""
    reference_verdict = compare(reference_hashes["chair-22-with-large-logo-bar"],
                                reference_hashes["chair-orig-22-sd-bar"])
    ours = compare(sample_digests["chair-22-with-large-logo-bar"].frames,
                   reference_hashes["chair-orig-22-sd-bar"])
    assert reference_verdict.query_percent < 20 and ours.rule() is None


def test_pattern_variants_match_within_their_family(sample_digests, reference_hashes) -> None:
    assert compare(sample_digests["pattern-hd-no-bar"].frames,
                   reference_hashes["pattern-longer-no-bar"]).rule()
    assert compare(sample_digests["pattern-sd-grey-bar"].frames,
                   reference_hashes["pattern-sd-with-small-logo-bar"]).rule()
