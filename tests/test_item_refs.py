"""Item addresses (``ItemRef``): every name, however odd, comes back from its text form as it was."""

from __future__ import annotations

import pytest

from footprint.model import ItemRef, escape_part, unescape_part

NAMES = [
    "holiday.jpg", "a!b%c.jpg", "tab\tnew\nline\r.jpg", "\x00\x1f\x7f\x85\xa0\xad.jpg",
    "copy of ½ – naïve 😀 \u202egpj.exe.png",  # a right-to-left override: shown escaped, never applied
    "x\udc80y\udcff.jpg",  # a name that was not UTF-8 (os.fsdecode's lone surrogates)
    "\u2028\U0001f600\u200b\ufeff", "%E2%80%AE literal.jpg", "ÃÂ©.jpg",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_name_comes_back_from_its_address(name: str) -> None:
    ref = ItemRef(("disk.E01", f"p1/{name}", f"{name}.zip"))
    text = str(ref)
    assert text.isprintable() and text.count("!") == 2
    assert ItemRef.parse(text) == ref


def test_escapes_are_codes_up_to_ff_and_utf8_bytes_above() -> None:
    assert escape_part("a\x85b\u202ec") == "a%85b%E2%80%AEc"
    assert unescape_part("%85%E2%80%AE") == "\x85\u202e"  # a run of both kinds
    assert unescape_part("%E2%80") == "\xe2\x80"  # not a whole character: the codes' own characters
