"""footprint: find known child-abuse images and videos in seized evidence by hash matching."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("footprint")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
