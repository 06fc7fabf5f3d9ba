"""The intel tests build their pictures with the hashers tests' generators (tests/hashers)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hashers"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "knowngood"))  # nsrl_db: an NSRL database
