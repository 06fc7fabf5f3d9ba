"""Analyse one item: one read of its bytes feeds every cryptographic hasher; an image is decoded
once for every perceptual hasher. Problems become the item's status and reason, never exceptions.

With a worker pool, a picture that is a file of its own (``Item.path``) is read by the worker that
hashes it: this process reads only its head to know it is a picture, and the worker's one read feeds
the cryptographic hashes and the decode alike. Its bytes never cross between processes (pickling and
piping a 3 MB photo cost 3.6 ms of CPU, an eighth of its decode), and the reads of several pictures
run side by side.

A picture with bytes after the end of its own structure (a JPEG with a ZIP appended, a phone's motion
photo with its MP4 after the JPEG, a vendor trailer) says so in a warning that names what the
appended bytes are, and ``appended_at`` tells the scan where they start: it walks them as the item
``picture!content@0xEND`` (or carves them when they are of no known type). A picture a worker reads is
known to have them only once the worker answers, so the scan holds such items until then."""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path

from footprint.errors import ItemError
from footprint.hashers.base import CryptoHasher, ImageHasher
from footprint.hashers.compute import HEAD_SIZE, PictureResult, StreamResult, analyse_picture, hash_stream
from footprint.matching.regions import LOW_QUALITY_DISTANCE, LOW_QUALITY_FLOOR
from footprint.model import CameraFacts, Digests, Item, PerceptualDigest, Skipped
from footprint.pipeline.video import hash_video
from footprint.pipeline.workers import READ_AGAIN, Task, hand
from footprint.sources.carve import picture_end, video_end
from footprint.sources.detect import detect, is_image, is_video
from footprint.sources.folder import open_readonly
from footprint.sources.registry import sniff

PDQ_MIN_QUALITY = 50


@dataclass
class Analysis:
    """What one read of an item gave: digests (None when unreadable), the head for container
    sniffing, the bytes when kept in memory, and the item's status.

    With a worker pool the picture's perceptual hashes may still be on their way: ``settle()``
    waits for them and judges the item; it is called before the item is matched and saved."""

    digests: Digests | None
    head: bytes = b""
    data: bytes | None = None
    status: str = "ok"  # ok | skipped | error
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    pending: Task[PictureResult] | None = field(default=None, repr=False)
    camera: CameraFacts | None = None  # a picture's EXIF facts, from the same decode as its hashes
    # a picture a worker reads itself (see the module doc): its item, for the checks made once it is read
    reading: tuple[Task[FileRead], Item] | None = field(default=None, repr=False)
    appended_at: int | None = None  # where bytes appended after a picture's own end start (module doc)

    def settle(self) -> None:
        if self.reading is not None:
            future, item = self.reading
            self.reading = None
            self._settle_read(future, item)
        if self.pending is not None:
            assert self.digests is not None
            try:
                picture = self.pending.result()
                perceptual = {**self.digests.perceptual, **picture.perceptual}
                self.camera = picture.camera
                self.warnings.extend([*picture.warnings, *([READ_AGAIN] if self.pending.again else [])])
            except Exception as exc:  # a worker that died on one picture, alone too: that picture's problem
                perceptual = {**self.digests.perceptual, "pdq": Skipped(f"hashing failed: {_describe(exc)}")}
            self.digests = replace(self.digests, perceptual=perceptual)
            self.pending = None
            _judge(self)

    def _settle_read(self, task: Task[FileRead], item: Item) -> None:
        try:
            read = task.result()
        except (OSError, ItemError, EOFError, ValueError, RuntimeError) as exc:  # as the read in analyse()
            self.status, self.reason = "error", f"unreadable: {_describe(exc)}"
            self.warnings.append(self.reason)
            return
        except Exception as exc:  # a worker that died on one picture: that picture's problem
            self.status, self.reason = "error", f"hashing failed: {_describe(exc)}"
            self.warnings.append(self.reason)
            return
        if task.again:
            self.warnings.append(READ_AGAIN)
        perceptual: dict[str, PerceptualDigest | Skipped] = {}
        if read.picture is not None:
            perceptual = dict(read.picture.perceptual)
            self.camera = read.picture.camera
            self.warnings.extend(read.picture.warnings)
        elif read.media_type and is_image(read.media_type):  # it grew past the limit since it was listed
            perceptual = {name: Skipped(f"image larger than {read.keep} bytes: not decoded") for name in read.hashers}
        self.digests = Digests(size=read.stream.size, crypto=read.stream.crypto, perceptual=perceptual,
                               media_type=read.media_type)
        self.appended_at = read.appended_at
        _check_item(self, item)
        _judge(self)


@dataclass(frozen=True)
class FileRead:
    """What a worker's one read of a picture file gave (see read_picture_file)."""

    stream: StreamResult  # without its data: the bytes stay in the worker
    media_type: str | None
    picture: PictureResult | None  # None when the content turned out not to be a decodable-size picture
    hashers: tuple[str, ...]
    keep: int
    appended_at: int | None = None


def read_picture_file(path: str, crypto: tuple[CryptoHasher, ...], images: tuple[ImageHasher, ...],
                      keep: int) -> FileRead:
    """In a worker: read the file once, hash its bytes, and decode and hash it when it is a picture."""
    with open_readonly(path) as stream:
        read = hash_stream(stream, crypto, keep=keep)
    media_type = detect(read.head)
    picture, end = None, None
    if read.data is not None and media_type and is_image(media_type):
        end = appended_end(read.data)
        picture = analyse_whole_picture(read.data, images, media_type, end)
    return FileRead(replace(read, head=b"", data=None), media_type, picture, tuple(h.name for h in images), keep,
                    end)


def analyse_whole_picture(data: bytes, images: Sequence[ImageHasher], media_type: str,
                          end: int | None) -> PictureResult:
    """The picture's hashes and warnings (hashers.compute.analyse_picture), and the warning on any bytes
    appended to it from ``end`` (``appended_end(data)``, which the caller keeps too)."""
    picture = analyse_picture(data, images)
    return replace(picture, warnings=(*picture.warnings, *appended(data, media_type, end)))


def appended_end(data: bytes) -> int | None:
    """Where bytes appended after the picture's own structure start, or None: none, only padding (zeros
    or 0xFF), or a format whose end is not walked (TIFF, HEIF)."""
    end = picture_end(data)
    if end is None or end >= len(data):
        return None
    rest = data[end:]
    return end if rest.strip(b"\0") and rest.strip(b"\xff") else None


def appended(data: bytes, media_type: str, end: int | None) -> list[str]:
    """A warning naming the bytes appended after the picture from ``end``, and where the scan reads them."""
    if end is None:
        return []
    return [_appended_note(len(data), media_type, end, data[end:end + HEAD_SIZE])]


def _appended_note(size: int, media_type: str, end: int, following: bytes) -> str:
    what = detect(following)
    # where, not what was done: the scan may not read them (nested beyond the depth limit: its own warning)
    how = f"{what}, at content@0x{end:x}" if what else "data of no recognised type"
    kind = "video" if is_video(media_type) else "picture"
    return f"{size - end} bytes follow the end of the {media_type} {kind} (from byte {end}): {how}"


def video_appended_end(item: Item, data: bytes | None, media_type: str) -> tuple[int | None, list[str]]:
    """Where bytes appended after a video's own end start (MP4, QuickTime, AVI, Matroska, WebM, FLV, ASF:
    sources.carve.video_end), and the warning that says so: a video is a place to hide a picture or
    another video behind, as a picture is. (None, []) when nothing follows, only padding does, or the item
    cannot be read at will."""
    try:
        with item.open() if data is None else io.BytesIO(data) as stream:
            if not stream.seekable():
                return None, []
            size = stream.seek(0, io.SEEK_END)
            end = video_end(stream, size)
            if end is None:
                return None, []
            stream.seek(end)
            following = stream.read(HEAD_SIZE)
    except (OSError, ValueError, RuntimeError):
        return None, []
    if (not following.strip(b"\0") or not following.strip(b"\xff")) and size - end <= len(following):
        return None, []  # padding
    return end, [_appended_note(size, media_type, end, following)]


def analyse(item: Item, crypto: Sequence[CryptoHasher], images: Sequence[ImageHasher],
            keep_in_memory: int, videos: bool = True, pool: Executor | None = None,
            storyboards: Path | None = None) -> Analysis:
    """Read the item once; hash pictures now, or in ``pool`` (then call ``settle()`` before use)."""
    if pool is not None and images and item.path is not None and item.size and item.size <= keep_in_memory:
        handed = _hand_to_worker(item, crypto, images, keep_in_memory, pool)
        if handed is not None:
            return handed
    try:
        with item.open() as stream:
            read = hash_stream(stream, crypto, keep=keep_in_memory)
    except (OSError, ItemError, EOFError, ValueError, RuntimeError) as exc:
        reason = f"unreadable: {_describe(exc)}"
        return Analysis(None, status="error", reason=reason, warnings=[reason])
    media_type = detect(read.head)
    perceptual: dict[str, PerceptualDigest | Skipped] = {}
    camera, picture_warnings = None, []
    pending, appended_at = None, None
    if media_type and is_image(media_type) and images:
        if read.data is None:
            perceptual = {h.name: Skipped(f"image larger than {keep_in_memory} bytes: not decoded")
                          for h in images}
        else:
            appended_at = appended_end(read.data)  # walked once: for the warning and for the scan
            if pool is not None:
                pending = hand(pool, analyse_whole_picture, read.data, tuple(images), media_type, appended_at)
            else:
                picture = analyse_whole_picture(read.data, images, media_type, appended_at)
                perceptual, camera, picture_warnings = (dict(picture.perceptual), picture.camera,
                                                        list(picture.warnings))
    video_warnings: list[str] = []
    if media_type and is_video(media_type) and videos:
        perceptual["vpdq"], video_warnings = hash_video(item, read.data, storyboards, read.crypto.get("sha256"))
        appended_at, tail = video_appended_end(item, read.data, media_type)
        video_warnings += tail
    digests = Digests(size=read.size, crypto=read.crypto, perceptual=perceptual, media_type=media_type)
    analysis = Analysis(digests, head=read.head, data=read.data, warnings=[*picture_warnings, *video_warnings],
                        pending=pending, camera=camera, appended_at=appended_at)
    _check_item(analysis, item)
    if pending is None:
        _judge(analysis)
    return analysis


def _hand_to_worker(item: Item, crypto: Sequence[CryptoHasher], images: Sequence[ImageHasher], keep: int,
                    pool: Executor) -> Analysis | None:
    """A picture file, read and hashed whole by a worker (see the module doc); None when the item is not
    a picture (or its head cannot be read): then this process reads it, and reports what goes wrong."""
    assert item.path is not None
    try:
        with item.open() as stream:
            head = stream.read(HEAD_SIZE)
    except Exception:  # the full read in analyse() meets the same problem and words it
        return None
    media_type = detect(head)
    if not (media_type and is_image(media_type)) or sniff(head) is not None:  # a picture, and no container
        return None
    task = hand(pool, read_picture_file, item.path, tuple(crypto), tuple(images), keep)
    return Analysis(None, head=head, reading=(task, item))


IMAGE_SUFFIXES = frozenset("jpg jpeg jpe jfif png gif bmp tif tiff webp heic heif avif jp2 j2k jpx psd".split())
VIDEO_SUFFIXES = frozenset("mp4 m4v mov avi mkv webm wmv asf flv 3gp mpg mpeg ts".split())


def _check_item(analysis: Analysis, item: Item) -> None:
    """What one read tells about the item itself: a short read, a name that lies about the content."""
    digests = analysis.digests
    assert digests is not None
    if item.size is not None and digests.size != item.size:
        analysis.warnings.append(f"read {digests.size} bytes where the source declared {item.size}")
    _check_signature(analysis, item.ref.name, digests.media_type)


def _judge(analysis: Analysis) -> None:
    """Set status and reason: an empty file, an undecodable or low-quality picture or video."""
    digests = analysis.digests
    assert digests is not None
    if digests.size == 0:
        analysis.status, analysis.reason = "skipped", "empty file: never matched"
        analysis.warnings.append(analysis.reason)
        return
    skipped: dict[str, list[str]] = {}  # one reason (an undecodable picture) said once, for every hasher
    for name, result in digests.perceptual.items():
        if isinstance(result, Skipped):
            skipped.setdefault(result.reason, []).append(name)
    for text, names in skipped.items():
        analysis.warnings.append(f"{', '.join(names)}: {text}")
    if skipped:  # the first hasher's reason (pdq's, when it has one) is the item's
        analysis.status, analysis.reason = "skipped", analysis.warnings[-len(skipped)]
    for name, result in digests.perceptual.items():
        if isinstance(result, Skipped):
            continue
        if name == "pdq" and (why := pdq_quality_note(result.quality)) is not None:
            analysis.status, analysis.reason = "skipped", why


def pdq_quality_note(quality: int) -> str | None:
    """Why a PDQ hash of this quality is not (fully) used for near matching, or None when it is."""
    if quality >= PDQ_MIN_QUALITY:
        return None
    return f"pdq quality {quality} below {PDQ_MIN_QUALITY}: " + (
        f"near-matched only within {LOW_QUALITY_DISTANCE} bits" if quality >= LOW_QUALITY_FLOOR
        else "not used for near matching")


def _check_signature(analysis: Analysis, name: str, media_type: str | None) -> None:
    """A name that lies about the content: a file named as a picture or video whose content is not one,
    or a picture or video named as something else (``holiday.jpg`` renamed ``tax.pdf``). Names with no
    extension (browser caches) or an odd one (``x.jpg_large``, ``x.jpg.1``) are not judged."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claims = "image" if suffix in IMAGE_SUFFIXES else "video" if suffix in VIDEO_SUFFIXES else None
    if analysis.digests is None or analysis.digests.size == 0:
        return
    if claims is None:
        if (is_image(media_type) or is_video(media_type)) and _plain_suffix(suffix) and suffix not in _ALSO_PICTURES:
            analysis.warnings.append(f"signature mismatch: named .{suffix} but the content is {media_type}")
        return
    is_claimed = (is_image if claims == "image" else is_video)(media_type or "")
    if not is_claimed:
        analysis.warnings.append(f"signature mismatch: named .{suffix} but the content is "
                                 f"{media_type or 'not a recognised type'}")


# Other names pictures and videos rightly go by: icons, cursors, camera thumbnails and raw files
# (TIFF-based), HEIF and MPEG-4 variants, Apple's Live Photo and screen-saver kinds.
_ALSO_PICTURES = frozenset("ico cur thm dng nef cr2 arw orf rw2 pef srw raf mpo hif m4a m2ts mts mkv ogv".split())


def _plain_suffix(suffix: str) -> bool:
    return 1 <= len(suffix) <= 5 and suffix.isascii() and suffix.isalnum() and not suffix.isdigit()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
