"""Scan throughput in pictures a second, against the naive loop and the decode-only limit.

    python bench/bench_scan.py [--count N] [--rounds 3] [--megapixels 12 0.5] [--noise 6]

For each size it builds a corpus of benign generated JPEGs, then measures in the same run:
  naive      one process: read, MD5+SHA-1+SHA-256, full-size decode, PDQ
  decode     the decode-only limit: reduced-scale decode of the same files on every core, no hashing
  hashing    decode + PDQ (eight dihedral variants) of the same files on every core: the hashing limit
  footprint  `footprint scan` through the Scanner, into a new case's SQLite store, jobs=1 and one per
             core, with every registered image hasher (PDQ and the region signature) and, one per
             core, as `footprint scan --skip pdq-regions` (PDQ alone: a triage setting); then the peak
             memory (RSS) of a scan, its workers included. The store and its case
             are made before the clock starts, as `footprint case create` makes them before a scan
             (creating a store runs its migrations: 0.27 s, 2.8 ms a picture of a 96-picture corpus)
and prints pictures/s and the ratios footprint/naive and decode/footprint (best of --rounds interleaved
rounds), the CPU time each spent a picture (this process and its finished worker pools: a figure that
holds when others load the machine), then the one-core cost of each stage footprint runs on a picture.
The machine is shared: the load average before and after is printed, and only ratios within one run
mean anything.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import multiprocessing
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from pathlib import Path

import numpy as np
import pdqhash
import psutil
from PIL import Image

from footprint.demo import jpeg_bytes, picture
from footprint.hashers.base import ImageHasher, PixelHasher, Shared
from footprint.hashers.compute import analyse_picture
from footprint.hashers.decode import decode_image, pixels_of
from footprint.hashers.pdq import PdqHasher
from footprint.hashers.registry import IMAGE_HASHERS
from footprint.model import CategoryScheme
from footprint.pipeline import scan as scan_module
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store


def build_corpus(folder: Path, count: int, megapixels: float, noise: float) -> list[Path]:
    """Generated pictures scaled up to ``megapixels``, with Gaussian sensor-like noise of ``noise`` grey
    levels, saved at JPEG quality 92. Without the noise an upscaled picture is so smooth that a 12 MP
    JPEG is 0.6 MB, a fifth of a camera's: its entropy decoding (most of a reduced-scale decode) and its
    MD5/SHA-1/SHA-256 (which run over the file) would cost a fifth of a real photo's, and the hashers'
    share of the work would look five times its real size. Noise 6 gives about 2.9 MB at 12 MP."""
    folder.mkdir(parents=True, exist_ok=True)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    size = (width, width * 3 // 4)
    paths = []
    for i in range(count):
        base = picture(9000 + i, (800, 600)).resize(size, Image.Resampling.BICUBIC)
        if noise:
            grain = np.random.default_rng(i).normal(0.0, noise, (size[1], size[0], 3))
            base = Image.fromarray(np.clip(np.asarray(base) + grain, 0, 255).astype(np.uint8))
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(jpeg_bytes(base, 92))
        paths.append(path)
    return paths


def naive(path: Path) -> None:
    data = path.read_bytes()
    for name in ("md5", "sha1", "sha256"):
        hashlib.new(name, data).hexdigest()
    pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))


def decode_only(path: Path) -> None:
    decode_image(path.read_bytes())


def pdq_only(path: Path) -> None:
    analyse_picture(path.read_bytes(), PDQ_ONLY)


PDQ_ONLY: tuple[ImageHasher, ...] = (PdqHasher(),)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children, and of the fork server's finished children
    (the worker pools are forked by it and reaped by it: /proc's cutime and cstime count them)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    server = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if server is not None:
        fields = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return total


def clocked(count: int, fn: Callable[[], object]) -> tuple[float, float]:
    """(pictures a wall-clock second, CPU milliseconds a picture). The second holds on a busy machine:
    it is the work done, whoever else wants the cores."""
    cpu = cpu_seconds()
    wall = timed(fn)
    return rate(count, wall), (cpu_seconds() - cpu) * 1000 / count


class PeakMemory:
    """The largest total RSS of this process, its children and the fork server's (the scan's workers),
    sampled every 20 ms while the ``with`` block runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            roots = [psutil.Process()]
            server = getattr(forkserver._forkserver, "_forkserver_pid", None)
            if server is not None:
                roots.append(psutil.Process(server))
            total = 0
            for process in {p for root in roots for p in (root, *root.children(recursive=True))}:
                with contextlib.suppress(psutil.Error):  # a worker that ended since the listing
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)


def pooled(fn: Callable[[Path], None], paths: list[Path], cores: int) -> None:
    """``fn`` over ``paths`` on a pool of its own (started and shut down inside the clock, as a scan's)."""
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("forkserver")) as pool:
        list(pool.map(fn, paths, chunksize=4))


def scan(folder: Path, jobs: int) -> None:
    with prepared_scan(folder, jobs) as run:
        run()


@contextlib.contextmanager
def prepared_scan(folder: Path, jobs: int, skip: tuple[str, ...] = ()) -> Iterator[Callable[[], None]]:
    """`footprint scan` of ``folder``, ready to run in a new case (its store made, as by `footprint case
    create`); the store is removed after."""
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env({"FOOTPRINT_HOME": home}, jobs=jobs, skip_hashers=skip)
        store = open_store(settings.database_url)
        store.create_case("bench", CategoryScheme.UK)
        yield lambda: Scanner(store, settings).scan("bench", [folder])


def stages(paths: list[Path]) -> dict[str, float]:
    """CPU milliseconds a picture, one core, for each stage footprint runs: where the time goes (each
    perceptual hasher after the ones before it, given what they computed, as hashers.compute gives it:
    the region signature reads the picture's PDQ blur)."""
    sample = paths[: min(len(paths), 12)]
    datas = [p.read_bytes() for p in sample]
    out: dict[str, float] = {}
    start = time.process_time()
    for data in datas:
        for name in ("md5", "sha1", "sha256"):
            hashlib.new(name, data).hexdigest()
    out["crypto"] = time.process_time() - start
    start = time.process_time()
    images = [decode_image(data, grey=True) for data in datas]  # as a scan decodes (hashers.compute)
    out["decode"] = time.process_time() - start
    pictures = [pixels_of(image) for image in images]
    for hasher in IMAGE_HASHERS:  # once untimed: the first call checks footprint's compiled PDQ steps (13 ms)
        hasher.hash_image(images[0])
    shared: list[Shared] = [{} for _ in images]  # each hasher after those before it, with their work (compute)
    for hasher in IMAGE_HASHERS:
        start = time.process_time()
        for image, pixels, work in zip(images, pictures, shared, strict=True):
            if isinstance(hasher, PixelHasher):
                hasher.hash_pixels(pixels, work)
            else:
                hasher.hash_image(image)
        out[hasher.name] = time.process_time() - start
    return {k: v * 1000 / len(sample) for k, v in out.items()}


def measure(mp: float, folder: Path, paths: list[Path], cores: int, rounds: int) -> None:
    """Every measure is taken ``rounds`` times, interleaved, and the best kept: on a shared machine the
    best round is the one least disturbed by others, for the baselines and footprint alike."""
    few = paths[: max(4, len(paths) // 4)]  # the naive loop is slow: a quarter of the corpus
    runs: dict[str, Callable[[], contextlib.AbstractContextManager[Callable[[], object]]]] = {
        "naive": lambda: contextlib.nullcontext(lambda: [naive(p) for p in few]),
        "decode": lambda: contextlib.nullcontext(lambda: pooled(decode_only, paths, cores)),
        "hashing": lambda: contextlib.nullcontext(lambda: pooled(pdq_only, paths, cores)),
        "jobs1": lambda: prepared_scan(folder, 1),
        "jobsN": lambda: prepared_scan(folder, cores),
        "pdqN": lambda: prepared_scan(folder, cores, ("pdq-regions",)),
    }
    speed: dict[str, float] = {}
    cost: dict[str, float] = {}
    for _ in range(rounds):
        for name, prepare in runs.items():
            with prepare() as run:
                per_second, cpu_ms = clocked(len(few) if name == "naive" else len(paths), run)
            speed[name] = max(per_second, speed.get(name, 0.0))
            cost[name] = min(cpu_ms, cost.get(name, float("inf")))
    print(f"{mp:>5} MP x{len(paths)}, pictures a second: naive {speed['naive']:.1f}  decode-only limit "
          f"{speed['decode']:.1f}  hashing limit (decode + PDQ) {speed['hashing']:.1f}  footprint jobs=1 "
          f"{speed['jobs1']:.1f}  jobs={cores} {speed['jobsN']:.1f}  --skip pdq-regions jobs={cores} "
          f"{speed['pdqN']:.1f}")
    print(f"        footprint/naive {speed['jobsN'] / speed['naive']:.1f}x  decode-limit/footprint "
          f"{speed['decode'] / speed['jobsN']:.2f}x  (--skip pdq-regions: {speed['pdqN'] / speed['naive']:.1f}x, "
          f"{speed['decode'] / speed['pdqN']:.2f}x)")
    print("        CPU ms a picture: " + "  ".join(f"{k} {v:.1f}" for k, v in cost.items()))
    print(f"        by CPU: footprint/naive {cost['naive'] / cost['jobsN']:.1f}x  decode-limit/footprint "
          f"{cost['jobsN'] / cost['decode']:.2f}x  (--skip pdq-regions {cost['naive'] / cost['pdqN']:.1f}x, "
          f"{cost['pdqN'] / cost['decode']:.2f}x)")
    with PeakMemory() as memory:
        scan(folder, cores)
    print(f"        peak memory of a jobs={cores} scan, all its processes: {memory.peak / 2**20:.0f} MiB")
    print("        one core, CPU ms a picture by stage: " + "  ".join(f"{k} {v:.1f}" for k, v in stages(paths).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=0, help="pictures a corpus (default 96 at 12 MP, 400 at 0.5: "
                        "a scan's start and end, about 0.07 s, are 5%% of a 48-picture one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megapixels", type=float, nargs="+", default=[12.0, 0.5])
    parser.add_argument("--noise", type=float, default=6.0,
                        help="sensor-like noise in grey levels, for camera-like file sizes (0: smooth pictures)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    # the fork server starts once per process: with the modules a scan preloads (pipeline/scan.py), so
    # that the limits' pools and the scan's start their workers alike
    multiprocessing.get_context("forkserver").set_forkserver_preload(scan_module._preload())
    print(f"{cores} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for mp in args.megapixels:
            folder = Path(tmp) / f"{mp}mp"
            paths = build_corpus(folder, args.count or (96 if mp >= 4 else 400), mp, args.noise)
            size = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
            print(f"{mp} MP corpus: {len(paths)} JPEGs, {size:.2f} MB each on average (noise {args.noise:g})")
            measure(mp, folder, paths, cores, args.rounds)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
