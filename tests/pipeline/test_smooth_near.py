"""Plain PDQ near hits between smooth pictures are no evidence: two different sine-stripe pictures whose
hashes are 2 bits apart at quality 100 are not a match, and the scan says on the item why; a photo's
resized copy still matches. (matching.regions.smooth_pair has the measurements.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from footprint.hashers.decode import decode_image
from footprint.hashers.pdq import PdqHasher, hamming
from footprint.model import PerceptualDigest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hashers"))
from hasher_pictures import picture


def _stripes(fx: float, fy: float, phase: float) -> Image.Image:
    y, x = np.mgrid[0:480, 0:640].astype(float)
    s = (np.sin(x * fx + y * fy + phase) + 1) * 127
    return Image.fromarray(np.stack([s, s * 0.8, s * 0.6], -1).astype(np.uint8))


def _pdq(path: Path) -> PerceptualDigest:
    digest = PdqHasher().hash_image(decode_image(path.read_bytes()))
    assert isinstance(digest, PerceptualDigest)
    return digest


def test_smooth_pictures_within_31_bits_are_not_a_match_and_the_item_says_so(cli, tmp_path: Path) -> None:
    known, evidence = tmp_path / "known", tmp_path / "evidence"
    known.mkdir(), evidence.mkdir()
    _stripes(0.0293, 0.0104, 1.88).save(known / "stripes.png")
    _stripes(0.0281, 0.0078, 3.78).save(evidence / "other-stripes.png")  # another picture: other phase, angle
    photo = picture(640, 480, seed=12)
    photo.save(known / "photo.png")
    photo.resize((320, 240), Image.Resampling.BILINEAR).save(evidence / "photo-half.png")
    entries = {p.stem: _pdq(p) for p in known.glob("*.png")}
    stripes = _pdq(evidence / "other-stripes.png")
    assert stripes.quality == entries["stripes"].quality == 100
    assert min(hamming(v, entries["stripes"].value) for v in stripes.variants) <= 31  # plain PDQ would accuse
    listed = tmp_path / "known.csv"
    listed.write_text("pdq,label,category\n" + "".join(f"{d.value},{name},A\n" for name, d in entries.items()))
    assert cli("hashset", "import", str(listed), "--name", "known").code == 0
    assert cli("case", "create", "smooth").code == 0
    assert cli("scan", str(evidence), "--case", "smooth", "-q").code == 0
    rows = {Path(r["ref"]).name: r for r in map(json.loads, cli("export", "smooth").stdout.splitlines())}
    assert [m["label"] for m in rows["photo-half.png"]["matches"]] == ["photo"]
    assert rows["other-stripes.png"]["matches"] == []
    (said,) = [w for w in rows["other-stripes.png"]["warnings"] if w.startswith("not a match")]
    assert said.startswith("not a match: PDQ ") and "of 'known', but the hashes are of separable patterns" in said


def test_an_item_near_many_smooth_entries_says_the_first_few_and_counts_the_rest():
    from footprint.model import Digests, KnownEntry
    from footprint.pipeline.match import Matcher
    from footprint.store import open_store

    hashes = [PdqHasher().hash_image(_stripes(0.0281 + k * 0.0001, 0.0078, 3.78 + k * 0.01)) for k in range(8)]
    assert all(isinstance(h, PerceptualDigest) for h in hashes)
    store = open_store("memory:")
    record = store.create_hashset("smooth", "test", "test")
    store.add_entries(record.id, [KnownEntry(pdq=h.value, label=f"s{k}") for k, h in enumerate(hashes[1:])])
    item = Digests(size=1, crypto={"sha256": "ab" * 32}, perceptual={"pdq": hashes[0]})
    notes: list[list[str]] = []
    assert Matcher(store).match_batch([item], notes) == [[]]
    (said,) = notes
    assert len(said) == 4 and all(n.startswith("not a match: PDQ ") for n in said[:3])
    assert said[3].startswith(f"not a match: {7 - 3} more PDQ near hits")
