"""VICS (Project VIC / CAID) JSON hash sets: a streaming reader and a streaming writer.

A VICS document is one JSON object with a context key (``odata.metadata`` in 1.x, ``@odata.context``
in 2.0) and a ``value`` array holding either Media records or Case objects that hold ``Media`` arrays.
Lists run to millions of records, so the document is never held whole: ijson hands over one Media
record at a time, even inside a single huge Case.

Two paths give the same records. When the first element of ``value`` is a plain Media record, ijson's
``items`` builds each element in C (the fast path: a Case met later is still read, holding just that
Case). Otherwise a Python walker over ijson's events streams Media records out of Cases one by one.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO, ClassVar, TextIO

import ijson

from footprint.errors import FormatError, UsageError
from footprint.hashsets.base import HashSetFormat
from footprint.hashsets.categories import SAY_WHICH, Numbers, category_number, parse_category
from footprint.hashsets.problems import (
    HEX_LENGTHS,
    ProblemHandler,
    RecordProblem,
    clean_hex,
    raise_problem,
)
from footprint.model import Category, KnownEntry

CONTEXT_KEYS = ("@odata.context", "odata.metadata")
_UK_SOURCE = re.compile(r"caid|\.uk(/|$|:)", re.IGNORECASE)  # a context URL from a UK source (CAID, *.uk)
CONTEXT_URLS = {
    "us": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
    "uk": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
}
PROFILE_NUMBERS = {"us": Numbers.VICS, "uk": Numbers.UK}
HEAD_SIZE = 64 * 1024
_BOM = b"\xef\xbb\xbf"
_RESERVED = {"md5", "sha1", "sha256", "category", "series", "victimidentified", "alternativehashes"}
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_MEDIA_KEYS = re.compile(r'"(MD5|SHA1|MediaID)"\s*:', re.IGNORECASE)
_VALUE_ARRAY = re.compile(r'"value"\s*:\s*\[')


class VicsFormat(HashSetFormat):
    """Reads VICS 1.x and 2.0 documents.

    ``categories`` says how Category numbers are read: ``vics`` (Project VIC 0-4), ``uk`` (UK-numeric,
    see categories.py) or ``auto`` (``uk`` when the context URL names the UK profile, else ``vics``).
    ``on_problem(record_no, message)`` receives each bad Media record (numbered from 1 in file order),
    which is then skipped; the default raises FormatError.
    """

    name: ClassVar[str] = "vics"

    def __init__(self, *, categories: str = "auto", on_problem: ProblemHandler = raise_problem,
                 backend: str | None = None) -> None:
        if categories not in ("auto", "vics", "uk"):
            raise UsageError(f"VICS categories must be auto, vics or uk, not {categories!r}")
        self.categories = categories
        self.on_problem = on_problem
        self._context: str | None = None  # the document's context URL, once read
        self._ijson: Any = ijson.get_backend(backend) if backend else ijson

    def sniff(self, head: bytes) -> bool:
        text = head[:HEAD_SIZE].removeprefix(_BOM).decode("utf-8", "replace").lstrip()
        if not text.startswith("{"):
            return False
        if any(f'"{key}"' in text for key in CONTEXT_KEYS):
            return True
        return bool(_VALUE_ARRAY.search(text) and _MEDIA_KEYS.search(text))

    def read(self, stream: BinaryIO) -> Iterator[KnownEntry]:
        head = stream.read(HEAD_SIZE).removeprefix(_BOM)
        doc = _Document()
        source = _Replay(head, stream)
        if _first_element_is_media(self._ijson, head):
            _scan_context(self._ijson, head, doc)
            records = self._fast_records(source)
        else:
            records = _walk(self._ijson.parse(source), doc)
        yield from self._entries(records, doc)

    def _fast_records(self, source: _Replay) -> Iterator[object]:
        for element in self._ijson.items(source, "value.item"):
            media = element.get("Media") if isinstance(element, dict) else None
            if isinstance(media, list):
                yield from media
            else:
                yield element

    def _entries(self, records: Iterator[object], doc: _Document) -> Iterator[KnownEntry]:
        record_no = 0
        numbers = self._numbers(doc)
        try:
            for record_no, record in enumerate(records, 1):
                if numbers is None:  # the walker may meet the context only after some records
                    numbers = self._numbers(doc)
                try:
                    yield media_to_entry(record, numbers)
                except RecordProblem as problem:
                    self.on_problem(record_no, str(problem))
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FormatError(f"VICS file is not valid JSON after record {record_no}: {first_line}") from None
        self._context = doc.context
        if not doc.saw_value and record_no == 0:
            raise FormatError("not a VICS document: no 'value' array of Media records or Cases")

    def _numbers(self, doc: _Document) -> Numbers | None:
        self._context = doc.context
        if self.categories != "auto":
            return Numbers(self.categories)
        if doc.context is None:
            return None
        return Numbers.UK if "/uk/" in doc.context.lower() else Numbers.VICS

    def warnings(self) -> list[str]:
        context = self._context or ""
        if self.categories == "auto" and "/uk/" not in context.lower() and _UK_SOURCE.search(context):
            return [f"the context URL {context!r} looks like a UK source but does not name the UK profile (/UK/): "
                    f"its Category numbers were read as VICS; if they are UK-numeric, import it with --categories uk"]
        return []

    def category_numbering(self) -> str | None:
        """How Category numbers were read, and why (the option, or the context URL)."""
        kind = {"vics": "VICS (Project VIC 0-4: 1 child abuse material, 2 exploitative, 3 CGI/animation, "
                        "4 comparison/ignorable, 0 uncategorised)",
                "uk": "UK-numeric (1-4 = UK A, B, C, N)"}
        if self.categories != "auto":
            return f"Category numbers read as {kind[self.categories]}, by --categories {self.categories}"
        if self._context is None:
            return "no context URL: Category numbers could not be read (--categories vics or uk says how)"
        if "/uk/" in self._context.lower():
            return f"Category numbers read as {kind['uk']}: the context URL {self._context!r} names the UK profile"
        return (f"Category numbers read as {kind['vics']}: the context URL {self._context!r} does not name the UK "
                f"profile (/UK/); a list numbering UK categories (1-3 = A-C) needs --categories uk")


# ---------------------------------------------------------------------------------------------
# Streaming the document
# ---------------------------------------------------------------------------------------------


@dataclass
class _Document:
    """What the walker has learnt about the document so far."""

    context: str | None = None
    saw_value: bool = False


class _Replay:
    """A read-only stream that gives back the already-read head before the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data, self._head = self._head + self._stream.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


def _first_element_is_media(backend: Any, head: bytes) -> bool:
    """True when the head holds a whole first element of ``value`` and it is not a Case."""
    cases_seen: list[bool] = []
    try:
        for record in _walk(backend.parse(io.BytesIO(head)), _Document(), cases_seen):
            return not cases_seen and isinstance(record, dict)
    except (ijson.JSONError, UnicodeDecodeError, FormatError):
        return False
    return False


def _scan_context(backend: Any, head: bytes, doc: _Document) -> None:
    """Fill ``doc`` from the root keys that appear in the head (the fast path sees no root keys)."""
    doc.saw_value = True
    try:
        for prefix, event, value in backend.parse(io.BytesIO(head)):
            if prefix in CONTEXT_KEYS and event == "string":
                doc.context = value
            elif prefix == "value":
                return
    except (ijson.JSONError, UnicodeDecodeError):
        return


def _walk(events: Iterable[tuple[str, str, Any]], doc: _Document,
          cases_seen: list[bool] | None = None) -> Iterator[object]:
    """Yield each Media record of the document, whether it sits in ``value`` or in a Case's ``Media``."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None or first[1] != "start_map":
        raise FormatError("not a VICS document: the top level is not a JSON object")
    element: _Builder | None = None
    media: _Builder | None = None
    in_case = held_media_key = False
    for prefix, event, value in iterator:
        if in_case and (prefix == "value.item.Media.item" or prefix.startswith("value.item.Media.item.")):
            media = media or _Builder()
            if media.feed(event, value):
                yield media.value
                media = None
        elif in_case and prefix == "value.item.Media":
            continue
        elif prefix == "value.item" or prefix.startswith("value.item."):
            if held_media_key:
                held_media_key = False
                if prefix == "value.item.Media" and event == "start_array":
                    in_case = True
                    if cases_seen is not None:
                        cases_seen.append(True)
                    continue
                element = element or _Builder()
                element.feed("map_key", "Media")
            if prefix == "value.item" and event == "map_key" and value == "Media":
                held_media_key = True
                continue
            element = element or _Builder()
            if element.feed(event, value):
                if not in_case:
                    yield element.value
                element, in_case = None, False
        else:
            _root_event(prefix, event, value, doc)


def _root_event(prefix: str, event: str, value: Any, doc: _Document) -> None:
    if prefix in CONTEXT_KEYS and event == "string":
        doc.context = value
    elif prefix == "value" and event == "start_array":
        doc.saw_value = True
    elif prefix == "value" and event not in ("end_array", "map_key"):
        raise FormatError("not a VICS document: 'value' is not an array")


class _Builder:
    """Builds one JSON value from ijson events; ``feed`` returns True when the value is complete."""

    def __init__(self) -> None:
        self._builder = ijson.ObjectBuilder()
        self._depth = 0

    def feed(self, event: str, value: Any) -> bool:
        self._builder.event(event, value)
        if event in ("start_map", "start_array"):
            self._depth += 1
        elif event in ("end_map", "end_array"):
            self._depth -= 1
        return self._depth == 0 and event != "map_key"

    @property
    def value(self) -> object:
        return self._builder.value


# ---------------------------------------------------------------------------------------------
# Media records ↔ entries
# ---------------------------------------------------------------------------------------------


_CANONICAL = frozenset(("MD5", "SHA1", "SHA256", "Category", "Series", "VictimIdentified", "MediaID",
                        "AlternativeHashes", "HashName", "HashValue"))
_BY_LOWER = {name.lower(): name for name in _CANONICAL}
# Keys met so far that need no respelling (a list repeats a few dozen names millions of times): a record
# whose keys all belong here is read as it is, found by one subset test in C. Bounded against hostile files.
_PLAIN_KEYS: set[str] = set(_CANONICAL)
_PLAIN_LIMIT = 4096
_FLAG_WORDS = {"true": True, "false": False}  # as most lists spell them; _flag reads the rest


def media_to_entry(record: object, numbers: Numbers | None) -> KnownEntry:
    """One Media record as a KnownEntry; RecordProblem when a value is bad or no hash is present.

    ``numbers`` None means the profile is not known yet: a numeric Category is then a FormatError
    for the whole file rather than a guess. Field names are matched without regard to case.
    """
    if type(record) is not dict and not isinstance(record, dict):
        raise RecordProblem(f"a Media record must be a JSON object, not {type(record).__name__}")
    fields = record if record.keys() <= _PLAIN_KEYS else _canonical_keys(record)
    get = fields.get
    md5, sha1, sha256 = get("MD5"), get("SHA1"), get("SHA256")
    md5 = None if md5 is None else clean_hex(md5, "md5")
    sha1 = None if sha1 is None else clean_hex(sha1, "sha1")
    sha256 = None if sha256 is None else clean_hex(sha256, "sha256")
    pdq = None
    extra: dict[str, str] = {}
    alternatives = get("AlternativeHashes")
    if type(alternatives) is list and len(alternatives) == 1 and _is_lone_pdq(alternatives[0]):
        pdq = clean_hex(alternatives[0]["HashValue"], "pdq")
    elif alternatives is not None:
        hashes = {"md5": md5, "sha1": sha1, "sha256": sha256, "pdq": None}
        extra = _alternative_hashes(alternatives, hashes)
        md5, sha1, sha256, pdq = hashes["md5"], hashes["sha1"], hashes["sha256"], hashes["pdq"]
    if not (md5 or sha1 or sha256 or pdq):
        raise RecordProblem("no MD5, SHA1, SHA256 or PDQ hash")
    category, label, series, victim = get("Category"), get("MediaID"), get("Series"), get("VictimIdentified")
    return KnownEntry(
        md5=md5, sha1=sha1, sha256=sha256, pdq=pdq,
        category=None if category is None else _category(category, numbers),
        label=None if label is None else str(label) if type(label) is int else _text(label, "MediaID"),
        series=None if series is None else _text(series, "Series"),
        victim_identified=victim if victim is None or type(victim) is bool else _flag(victim, "VictimIdentified"),
        extra=extra,
    )


def _is_lone_pdq(item: object) -> bool:
    """The common AlternativeHashes: one item, {"HashName": "PDQ", "HashValue": ...} and nothing else."""
    return type(item) is dict and len(item) == 2 and item.get("HashName") == "PDQ" and "HashValue" in item


def _canonical_keys(record: dict[str, Any]) -> dict[str, Any]:
    """The record itself when its keys are spelt as VICS spells them, else a copy that is."""
    if record.keys() <= _PLAIN_KEYS:
        return record
    for key in record:
        if key not in _CANONICAL and str(key).lower() in _BY_LOWER:
            return {_BY_LOWER.get(str(k).lower(), k): value for k, value in record.items()}
    if len(_PLAIN_KEYS) < _PLAIN_LIMIT:
        _PLAIN_KEYS.update(record)
    return record


def _alternative_hashes(value: object, hashes: dict[str, str | None]) -> dict[str, str]:
    """Merge known algorithms from AlternativeHashes into ``hashes``; return the others by name."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise RecordProblem("AlternativeHashes is not an array")
    extra: dict[str, str] = {}
    regions: list[str] = []
    for item in value:
        if not isinstance(item, dict):
            raise RecordProblem("an AlternativeHashes item is not an object")
        fields = _canonical_keys(item)
        name, hash_value = fields.get("HashName"), fields.get("HashValue")
        if not isinstance(name, str) or not name.strip():
            raise RecordProblem("an AlternativeHashes item has no HashName")
        key = _hash_key(name)
        if key in HEX_LENGTHS:
            _merge_hash(hashes, key, clean_hex(hash_value, key))
        elif key.startswith(_REGION_KEY):
            quality = fields.get("Quality", fields.get("quality"))
            regions.append(_region_part(key[len(_REGION_KEY):], hash_value, quality))
        elif hash_value not in (None, ""):
            extra.setdefault(key, str(hash_value).strip())
    if regions:
        extra[REGION_SIGNATURE] = ";".join(regions)
    return extra


# footprint's region signature (hashers/regions.py, text "name:hex.quality;...") travels as one
# AlternativeHashes item per region: HashName "footprint-pdq-region-<name>", HashValue the PDQ hex,
# Quality its PDQ quality. A reader that does not know them keeps the full-frame PDQ and ignores them.
REGION_SIGNATURE = "pdq-regions"
REGION_HASH_NAME = "footprint-pdq-region-"
_REGION_KEY = "footprintpdqregion"


def _region_part(region: str, value: object, quality: object) -> str:
    hex_value = clean_hex(value, "pdq")
    if not region.isalnum() or hex_value is None:
        raise RecordProblem(f"footprint region hash {region!r} has no PDQ value")
    if isinstance(quality, bool) or not isinstance(quality, int | str) or not str(quality).isdigit() \
            or int(quality) > 100:
        raise RecordProblem(f"footprint region hash {region!r} has no Quality 0-100")
    return f"{region}:{hex_value}.{int(quality)}"


def _region_hashes(text: str) -> list[dict[str, object]]:
    """The region signature's text form as AlternativeHashes items (the inverse of _region_part)."""
    found: list[dict[str, object]] = []
    for part in text.split(";"):
        region, _, rest = part.partition(":")
        value, _, quality = rest.partition(".")
        found.append({"HashName": REGION_HASH_NAME + region, "HashValue": value, "Quality": int(quality)})
    return found


@lru_cache(maxsize=256)
def _hash_key(name: str) -> str:
    """HashName as footprint's algorithm name: "SHA-256" → sha256, "PDQ"/"PDQHash" → pdq."""
    key = re.sub(r"[\s_\-]+", "", name.strip().lower())
    return "pdq" if key == "pdqhash" else key


def _merge_hash(hashes: dict[str, str | None], key: str, value: str | None) -> None:
    if value and hashes[key] and hashes[key] != value:
        raise RecordProblem(f"two different {key} values: {hashes[key]} and {value}")
    hashes[key] = hashes[key] or value


def _category(value: object, numbers: Numbers | None) -> Category | None:
    if numbers is not None and (type(value) is int or type(value) is str):  # the common case, first
        try:
            return _cached_category(value, numbers)
        except FormatError as exc:
            raise RecordProblem(str(exc)) from None
    if value is None:
        return None
    if numbers is None and (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise FormatError("a Category number came before the document's context (or there is none), so its "
                          f"profile (US 0-4 or UK-numeric) is unknown: {SAY_WHICH}")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise RecordProblem(f"category {value!r} is neither text nor a whole number")
    try:
        return _cached_category(value, numbers or Numbers.NONE)
    except FormatError as exc:
        raise RecordProblem(str(exc)) from None


@lru_cache(maxsize=1024)
def _cached_category(value: str | int, numbers: Numbers) -> Category | None:
    """Lists repeat a handful of category values millions of times: parse each once."""
    return parse_category(value, numbers)


def _text(value: object, field_name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    raise RecordProblem(f"{field_name} {value!r} is not text or a number")


def _flag(value: object, field_name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if type(value) is str and value in _FLAG_WORDS:
        return _FLAG_WORDS[value]
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text == "":
        return None
    raise RecordProblem(f"{field_name} {value!r} is not true or false")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_vics(entries: Iterable[tuple[KnownEntry, Mapping[str, object]]], out: TextIO, *,
               profile: str = "us", version: str = "2.0") -> int:
    """Write a VICS 2.0 document entry by entry; return how many Media records were written.

    Each entry comes with a mapping of further Media fields to copy as they are (MediaSize,
    DateUpdated, MediaID...); it may not set the fields the entry itself fills. MediaID is taken from
    that mapping, else from the entry's label. Categories must belong to the profile's scheme (``us``:
    VICS 0-4, ``uk``: UK A/B/C/N as 1-4); an entry without a category gets no Category field.
    Reading the output back with the same profile gives the same entries.
    """
    if profile not in PROFILE_NUMBERS:
        raise UsageError(f"VICS profile must be us or uk, not {profile!r}")
    if version != "2.0":
        raise UsageError(f"only VICS version 2.0 can be written, not {version!r}")
    out.write('{"@odata.context": ' + json.dumps(CONTEXT_URLS[profile]) + ', "value": [')
    count = 0
    for entry, fields in entries:
        record = entry_to_media(entry, fields, PROFILE_NUMBERS[profile], count + 1)
        out.write((",\n" if count else "\n") + json.dumps(record))
        count += 1
    out.write("\n]}\n")
    return count


def entry_to_media(entry: KnownEntry, fields: Mapping[str, object], numbers: Numbers,
                   record_no: int = 0) -> dict[str, object]:
    """One entry as a VICS 2.0 Media record (the inverse of ``media_to_entry``)."""
    clash = sorted(key for key in fields if key.lower() in _RESERVED)
    if clash:
        raise UsageError(f"record {record_no}: extra fields may not set {', '.join(clash)}")
    record: dict[str, object] = dict(fields)
    if "MediaID" not in record and entry.label is not None:
        record["MediaID"] = _media_id(entry.label)
    if entry.category is not None:
        try:
            record["Category"] = category_number(entry.category, numbers)
        except FormatError as exc:
            raise UsageError(f"record {record_no}: {exc}") from None
    _set_if(record, "MD5", entry.md5.upper() if entry.md5 else None)
    _set_if(record, "SHA1", entry.sha1.upper() if entry.sha1 else None)
    _set_if(record, "Series", entry.series)
    _set_if(record, "VictimIdentified", entry.victim_identified)
    others = {k: v for k, v in entry.extra.items() if k != REGION_SIGNATURE}
    alternatives = [("SHA256", entry.sha256), ("PDQ", entry.pdq), *others.items()]
    hashes: list[dict[str, object]] = [{"HashName": name, "HashValue": value} for name, value in alternatives if value]
    if entry.extra.get(REGION_SIGNATURE):
        hashes.extend(_region_hashes(entry.extra[REGION_SIGNATURE]))
    _set_if(record, "AlternativeHashes", hashes or None)
    return record


def _media_id(label: str) -> int | str:
    """A label that is a plain whole number is written as one (VICS 2.0 MediaID is an integer)."""
    return int(label) if label.isascii() and label.isdigit() and str(int(label)) == label else label


def _set_if(record: dict[str, object], key: str, value: object) -> None:
    if value is not None:
        record[key] = value
