"""A 5-second clip cut out of a longer benign video, re-encoded, is found as a near match of the
whole; an unrelated video of the same kind is not."""

from __future__ import annotations

import io

from footprint.hashers.vpdq import VpdqHasher
from footprint.matching.video import VideoIndex, compare, to_match
from footprint.model import MatchKind


def test_clip_is_found_in_the_whole(synthetic) -> None:
    known = VpdqHasher(interval=0).hash_video(synthetic["whole"])  # known videos: every frame
    clip = VpdqHasher().hash_video(synthetic["clip"])  # evidence: 1 fps
    assert 4 <= len(clip.frames) <= 6 and clip.duration > 4
    comparison = compare(clip.frames, known.frames)
    assert comparison.query_percent >= 80
    assert comparison.target_percent < 40  # the clip is a quarter of the whole
    match = to_match(comparison, hashset="known-videos", entry_id=7, label="whole")
    assert match is not None and match.kind is MatchKind.NEAR and match.algorithm == "vpdq"
    assert match.details["rule"] == "clip"
    assert match.details["query_percent"] == round(comparison.query_percent, 2)
    assert match.details["target_percent"] == round(comparison.target_percent, 2)
    assert 0 <= match.distance <= 31


def test_unrelated_video_is_not_found(synthetic) -> None:
    known = VpdqHasher(interval=0).hash_video(synthetic["whole"])
    for name in ("other",):
        other = VpdqHasher().hash_video(synthetic[name])
        comparison = compare(other.frames, known.frames)
        assert comparison.rule() is None and to_match(comparison, hashset="k", entry_id=1) is None
        assert comparison.query_matched == 0


def test_whole_video_contains_the_known_clip(synthetic) -> None:
    """The other way round: the known video is the clip (1 fps), the evidence the whole video. The
    known frames can only all be found when the evidence is hashed densely (here every frame): at
    1 fps the two sample grids fall half a second apart in a moving scene."""
    known_clip = VpdqHasher().hash_video(synthetic["clip"])
    whole = VpdqHasher(interval=0).hash_video(synthetic["whole"])
    assert compare(whole.frames, known_clip.frames).rule() == "contains"


def test_index_agrees_with_pairwise_comparison(synthetic) -> None:
    known = {n: VpdqHasher(interval=0).hash_video(synthetic[n]) for n in ("whole", "other")}
    index = VideoIndex([(1, known["whole"].frames), (2, known["other"].frames)])
    query = VpdqHasher().hash_video(synthetic["clip"])
    found = index.search(query.frames)
    assert set(found) == {1}
    pairwise = compare(query.frames, known["whole"].frames)
    assert (found[1].query_matched, found[1].target_matched, found[1].query_frames, found[1].target_frames) \
        == (pairwise.query_matched, pairwise.target_matched, pairwise.query_frames, pairwise.target_frames)


def test_hashing_from_a_file_object_equals_hashing_from_the_path(synthetic) -> None:
    path = synthetic["clip"]
    from_path = VpdqHasher().hash_video(path)
    from_stream = VpdqHasher().hash_video(io.BytesIO(path.read_bytes()))
    assert from_stream.frames == from_path.frames


def test_text_form_round_trips(synthetic) -> None:
    from footprint.hashers.vpdq import frames_from_text

    digest = VpdqHasher().hash_video(synthetic["clip"])
    text = digest.to_text()
    assert text.count("\n") == len(digest.frames)
    assert [(f.number, f.quality, f.pdq) for f in frames_from_text(text)] == \
        [(f.number, f.quality, f.pdq) for f in digest.frames]
