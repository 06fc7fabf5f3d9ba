"""The software that reads the evidence and computes the hashes, with its versions: recorded with every
scan run (pipeline.runs), stated in the court report and in DFXML, so that a result can be reproduced
with the same tools, and a later difference traced to the tool that changed."""

from __future__ import annotations

import platform
from importlib import metadata

from footprint import __version__

# Distributions whose code reads the evidence or computes a hash footprint reports: PDQ (Meta's reference
# C++), picture, HEIF and video (FFmpeg) decoding, arrays, file systems (The Sleuth Kit), E01, VMDK and
# VHD/VHDX images.
COMPONENTS = ("pdqhash", "pillow", "pillow-heif", "av", "numpy", "pytsk3", "libewf-python", "libvmdk-python",
              "libvhdi-python")


def software() -> dict[str, str]:
    """{name: version} of footprint, Python and every component above that is installed, plus the JPEG
    library inside Pillow and which PDQ blur ran ("pdq-blur": footprint's own build, which gives the
    reference's hashes bit for bit, the reference's, or pdqhash's own functions; hashers/pdq_native.py)."""
    found = {"footprint": __version__, "python": platform.python_version()}
    for name in COMPONENTS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    from PIL import features

    jpeg = features.version("libjpeg_turbo")
    if jpeg:
        found["libjpeg-turbo"] = jpeg
    found["pdq-blur"] = _pdq_blur()
    return found


def _pdq_blur() -> str:
    from footprint.hashers import pdq_native

    native = pdq_native._native()
    if native is None:
        return "pdqhash"
    return "footprint (bit-identical)" if native.blur is not None else "reference"
