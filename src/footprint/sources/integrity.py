"""Exhibit integrity: the evidence file's own hashes, in one read over all its segments (or a virtual
disk's descriptor, extents and parents), and the acquisition hashes an E01 carries inside it, with
its chunk checksums checked by ``ewfverify``."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from footprint.model import Item
from footprint.sources.folder import open_readonly
from footprint.sources.virtual import virtual_disk_files

BLOCK = 4 << 20
_SECTORS = re.compile(r"at sector\(s\): (\d+)(?: - (\d+))?")
_VERDICT = re.compile(r"^ewfverify: (SUCCESS|FAILURE)\s*$", re.MULTILINE)
NO_EWFVERIFY = "not checked: ewfverify (Debian package ewf-tools) is not installed"
# A split image's segment names: raw x.001, x.002…; EWF as libewf names them, x.E01…x.E99, then
# x.EAA…x.EZZ, x.FAA… (lower case e01/eaa and SMART s01/saa alike), and EWF2 x.Ex01…x.Ex99, x.ExAA…
_SEGMENT = re.compile(r"^(?P<stem>.*)\.(?:(?P<lead>[Ees]|Ex)(?P<en>\d{2}|[A-Za-z]{2})|(?P<raw>\d{3}))$")
_MAX_RAW = 999


def segment_extension(lead: str, number: int) -> str | None:
    """The extension libewf gives segment ``number`` of a set whose first is ``<lead>01`` (E01, e01,
    s01, Ex01): two digits up to 99, then two letters counting from AA, the leading letter (the x of
    Ex01) stepping on after ZZ; None past the last name the scheme has."""
    if number <= 99:
        return f"{lead}{number:02d}"
    base = ord("a") if lead[0].islower() else ord("A")
    number -= 100
    last, number = chr(base + number % 26), number // 26
    middle, number = chr(base + number % 26), number // 26
    step = chr(ord(lead[-1]) + number)
    if not step.isalpha() or step.islower() != lead[-1].islower():
        return None
    return f"{lead[:-1]}{step}{middle}{last}"


def segment_number(lead: str, extension: str) -> int | None:
    """The number of the segment whose extension is ``extension`` in the set ``<lead>01``: the
    inverse of ``segment_extension``; None when the extension is not one of that set's."""
    body = extension[len(lead) - 1:]
    if len(body) != 3 or extension[:len(lead) - 1] != lead[:-1]:
        return None
    if body[1:].isdigit():
        number = int(body[1:]) if body[0] == lead[-1] else 0
    else:
        base = ord("a") if lead[0].islower() else ord("A")
        digits = [ord(c) - base for c in body]
        number = 100 + (digits[0] - (ord(lead[-1]) - base)) * 676 + digits[1] * 26 + digits[2]
    return number if number >= 1 and segment_extension(lead, number) == extension else None


def first_segment(path: Path) -> tuple[Path, int] | None:
    """For a later segment of a split image by its name (x.002, x.E02, x.EAA, x.Ex02…): the first
    segment's path (whether or not it exists) and this one's number; None for any other name,
    the first segment included. An EWF name is only a guess (x.eps reads as segment 340 of x.e01):
    trust it where the file's own header says it is an EWF segment (``ewf.ewf_segment_number``)."""
    found = _SEGMENT.match(path.name)
    if not found:
        return None
    if found["raw"]:
        number = int(found["raw"])
        return (path.with_name(f"{found['stem']}.001"), number) if number > 1 else None
    lead = found["lead"]
    later = segment_number(lead, f"{lead}{found['en']}")
    if later is None or later == 1:
        return None
    return path.with_name(f"{found['stem']}.{segment_extension(lead, 1)}"), later


def segments(path: Path) -> list[Path]:
    """The file and, for a split image (x.E01, x.E02… x.EAA… or x.001, x.002…), its later segments in
    order, up to the first one missing."""
    found = _SEGMENT.match(path.name)
    if not found or (found["en"] and found["en"] != "01") or (found["raw"] and found["raw"] != "001"):
        return [path]
    parts = [path]
    for n in range(2, 1 << 16):
        suffix = segment_extension(found["lead"], n) if found["lead"] else (f"{n:03d}" if n <= _MAX_RAW else None)
        candidate = path.with_name(f"{found['stem']}.{suffix}") if suffix else None
        if candidate is None or not candidate.is_file():
            break
        parts.append(candidate)
    return parts


def evidence_files(path: Path) -> list[Path]:
    """Every file the evidence file ``path`` is made of, in order: a split image's segments, or a
    virtual disk with the extents and parents it names (a VMDK descriptor alone holds no data)."""
    parts = segments(path)
    if len(parts) > 1:
        return parts
    return virtual_disk_files(path)


def hash_evidence(paths: list[Path]) -> dict[str, str]:
    """MD5, SHA-1 and SHA-256 over the evidence, every file it is made of in order, in one read."""
    digests = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256")}
    ordered = dict.fromkeys(s for p in paths for s in evidence_files(Path(p)))  # x.E01 and x.E02 both given
    for path in ordered:
        with open_readonly(path) as stream:  # the evidence's access time left as it was
            while block := stream.read(BLOCK):
                for digest in digests.values():
                    digest.update(block)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def verify_ewf(path: Path) -> dict[str, object]:
    """Recompute an E01's media hashes, compare them with the acquisition hashes stored in it, and
    check every chunk's own checksum.

    libewf hands back a chunk whose checksum fails as zeros, so a damaged chunk that held zeros leaves
    the media hash unchanged: only the chunk checksums show it. pyewf does not report them, so
    ``ewfverify`` (read-only) does; its sector validation errors fail the verification and are kept in
    ``sector_errors`` ("first-last" sector ranges). Every key is always present (None when unknown) so
    a report can print the same table for any image.
    """
    result = _media_hashes(path)
    result.update(sector_errors=None, chunk_checksums=None)
    if str(result["reason"] or "").startswith("cannot read"):
        return result
    checked = _ewfverify(path)
    result["chunk_checksums"] = checked["chunk_checksums"]
    result["sector_errors"] = checked["sector_errors"]
    if checked["failed"]:
        result["verified"] = False
        reasons = [str(result["reason"])] if result["reason"] else []
        result["reason"] = "; ".join([*reasons, str(checked["failed"])])
    return result


# Sector ranges (first, last) whose chunk checksum ewfverify found failing, by E01 (its path, size and
# modification time): libewf hands such chunks back as zeros without a word, so the image's reader
# (sources.ewf) counts them among its unreadable chunks, and the files on them fail their reads.
_FAILED_SECTORS: dict[tuple[str, int, int], list[tuple[int, int]]] = {}


def _identity(path: Path) -> tuple[str, int, int]:
    info = path.stat()
    return str(path.resolve()), info.st_size, info.st_mtime_ns


def failed_sectors(path: Path) -> list[tuple[int, int]]:
    """The sector ranges ewfverify found failing in the E01 at ``path`` (as it is now) in this process;
    empty when it found none, or has not checked it."""
    try:
        return list(_FAILED_SECTORS.get(_identity(path), ()))
    except OSError:
        return []


def note_failed_sectors(path: Path, ranges: list[tuple[int, int]]) -> None:
    """Take ``ranges`` as the failing sector ranges of the E01 at ``path`` in this process: found by ewfverify
    elsewhere (a cluster's worker that began the scan) on the same image, as its fingerprint shows."""
    if ranges:
        with contextlib.suppress(OSError):
            _FAILED_SECTORS[_identity(path)] = [(int(first), int(last)) for first, last in ranges]


def _ewfverify(path: Path) -> dict[str, object]:
    """ewfverify's verdict on the image: the sector ranges whose chunk checksum fails, and why it
    failed (None when it passed or could not run)."""
    tool = shutil.which("ewfverify")
    if tool is None:
        return {"chunk_checksums": NO_EWFVERIFY, "sector_errors": None, "failed": None}
    try:
        run = subprocess.run([tool, "-q", str(path)], stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, errors="replace", check=False)
    except OSError as exc:
        return {"chunk_checksums": f"not checked: ewfverify did not run: {exc}", "sector_errors": None,
                "failed": None}
    failed = [(int(m[1]), int(m[2] or m[1])) for m in _SECTORS.finditer(run.stdout)]
    with contextlib.suppress(OSError):
        _FAILED_SECTORS[_identity(path)] = failed
    ranges = [f"{first}-{last}" for first, last in failed]
    verdict = _VERDICT.search(run.stdout)
    outcome: dict[str, object] = {"chunk_checksums": "checked by ewfverify", "sector_errors": ", ".join(ranges) or None,
               "failed": None}
    if ranges:
        outcome["failed"] = f"chunk checksum errors at sectors {outcome['sector_errors']} (ewfverify)"
    elif verdict is None or verdict[1] != "SUCCESS" or run.returncode != 0:
        said = (run.stderr.strip().splitlines() or run.stdout.strip().splitlines() or ["no output"])[-1]
        outcome["failed"] = f"ewfverify reports failure: {said}"
    return outcome


# What the acquisition tool wrote into an E01's header (ewfacquire's -C, -D, -e, -E, -N; EnCase's
# case details), by libewf's names, in the order a report gives them.
ACQUISITION_FIELDS = ("case_number", "evidence_number", "examiner_name", "description", "notes", "acquiry_date",
                      "system_date", "acquiry_software", "acquiry_software_version", "acquiry_operating_system",
                      "model", "serial_number")


def ewf_acquisition(path: Path) -> dict[str, str]:
    """The acquisition facts an E01's header records (case and evidence numbers, examiner, notes, dates,
    tool, the drive's model and serial), as written: the chain of custody starts there. Empty when the
    image records none or cannot be read (its verification says why)."""
    import pyewf

    handle = pyewf.handle()
    try:
        handle.open([str(p) for p in pyewf.glob(str(path))])
        values = handle.get_header_values() or {}
    except (OSError, RuntimeError, MemoryError):
        return {}
    finally:
        with contextlib.suppress(OSError):
            handle.close()
    order = [*ACQUISITION_FIELDS, *sorted(str(name) for name in values if name not in ACQUISITION_FIELDS)]
    written = {name: str(values.get(name) or "").strip() for name in order}
    return {name: text for name, text in written.items() if text}


def _media_hashes(path: Path) -> dict[str, object]:
    """The E01's stored acquisition hashes and the ones recomputed over its media, through pyewf."""
    import pyewf

    handle = pyewf.handle()
    result: dict[str, object] = {"verified": False, "stored_md5": None, "computed_md5": None,
                                 "stored_sha1": None, "computed_sha1": None, "reason": None}
    try:
        handle.open([str(p) for p in pyewf.glob(str(path))])
        stored = {name: (handle.get_hash_value(name.upper()) or "").lower() for name in ("md5", "sha1")}
        result.update({f"stored_{name}": value or None for name, value in stored.items()})
        computed = {name: hashlib.new(name) for name in stored}
        size, offset = handle.get_media_size(), 0
        while offset < size:
            block = handle.read(min(BLOCK, size - offset))
            if not block:
                raise OSError(f"read stopped at byte {offset} of {size}")
            offset += len(block)
            for digest in computed.values():
                digest.update(block)
        result.update({f"computed_{name}": digest.hexdigest() for name, digest in computed.items()})
        checked = [n for n, v in stored.items() if v]
        result["verified"] = bool(checked) and all(stored[n] == computed[n].hexdigest() for n in checked)
        if not checked:
            result["reason"] = "the image stores no acquisition hash"
        elif not result["verified"]:
            result["reason"] = "the media hash differs from the acquisition hash"
    except (OSError, RuntimeError, MemoryError) as exc:  # pyewf.glob of a missing file: MemoryError
        result["reason"] = f"cannot read the image: {exc}"
    finally:
        with contextlib.suppress(OSError):
            handle.close()
    return result


def verification_words(check: Mapping[str, object]) -> str:
    """Why an E01 verification result (``verify_ewf``) holds or fails, in words: what follows "verified:"
    or "NOT verified:" wherever it is shown (the scan's stderr, the court report)."""
    if not check.get("verified"):
        return str(check.get("reason") or "the acquisition hash does not agree")
    chunks = str(check.get("chunk_checksums") or "")
    if chunks.startswith("checked"):
        return "acquisition hash agrees and every chunk checksum holds"
    return "acquisition hash agrees" + (f"; chunk checksums {chunks}" if chunks else "")


def raw_piece(name: str) -> bool:
    """Whether ``name`` is a raw split image's piece by its name (x.001, x.002…)."""
    found = _SEGMENT.match(name)
    return bool(found and found["raw"])


def later_piece(item: Item) -> bool:
    """Whether the item is a file that is a later piece of a split raw image (x.002…) whose first piece
    (x.001) lies beside it, and so is read as part of that image (``segments``)."""
    if not item.path or not raw_piece(Path(item.path).name):
        return False
    first = first_segment(Path(item.path))
    return first is not None and first[0].is_file()
