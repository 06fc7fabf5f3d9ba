"""Where footprint keeps its data and how a run is tuned. Read from the environment once, by the
adapters (CLI, web), and passed down: the core never reads the environment itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from footprint.errors import UsageError
from footprint.sources.base import Limits

ENV_HOME = "FOOTPRINT_HOME"
ENV_DATABASE_URL = "FOOTPRINT_DATABASE_URL"
ENV_BATCH_SIZE = "FOOTPRINT_BATCH_SIZE"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    jobs: int = 1  # worker processes decoding and hashing pictures
    limits: Limits = field(default_factory=Limits)
    keep_in_memory: int = 256 << 20  # items up to this size are kept in memory after one read
    batch_size: int = 256  # items saved per transaction
    skip_hashers: tuple[str, ...] = ()  # perceptual hashes a scan does not compute (footprint scan --skip)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, home: Path | None = None,
                 **overrides: object) -> Settings:
        """Settings from the environment; ``home`` (e.g. from --home) wins over FOOTPRINT_HOME."""
        env = os.environ if environ is None else environ
        home = (home or Path(env.get(ENV_HOME) or user_data_dir("footprint", appauthor=False))).expanduser()
        url = env.get(ENV_DATABASE_URL) or f"sqlite:///{home / 'footprint.db'}"
        if ENV_BATCH_SIZE in env and "batch_size" not in overrides:
            overrides["batch_size"] = _positive(env, ENV_BATCH_SIZE)
        return cls(home=home, database_url=url, **overrides)  # type: ignore[arg-type]

    def describe(self) -> dict[str, object]:
        """The settings as recorded in reports: everything but secrets in the database URL."""
        data = asdict(self)
        data["home"] = str(self.home)
        data["database_url"] = _redact(self.database_url)
        return data


def _positive(env: Mapping[str, str], name: str) -> int:
    text = env[name].strip()
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{name} must be a whole number of 1 or more, not {env[name]!r}")
    return int(text)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}" if ":" in creds else url
    return url
