"""Reveals: the one item a reviewer may see plainly, granted by the server and recorded.

Pictures are served blurred and greyscale unless the session holds a reveal grant for that very item
(the browser's CSS blur is only a second layer: a picture fetched by hand is blurred too). A grant is
made by a reveal, which is written to the case's audit trail first; it covers one item of one case for
one session, lasts ``seconds`` (a few minutes), and a second reveal replaces the first, so at most one
item is ever plain for a session. Logging out ends it.

Grants live in the server's memory, keyed by the SHA-256 of the session token: a restart, or a
second server process, simply shows everything blurred again until the next reveal (the safe side).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from footprint.errors import UsageError
from footprint.model import PerceptualDigest
from footprint.review import audit
from footprint.review.accounts import User, require
from footprint.review.sessions import token_hash
from footprint.sources.detect import is_image, is_video
from footprint.store.base import CaseRecord, ItemRecord, Store
from footprint.store.reviewstore import review_store

REVEAL_SECONDS = 300.0


@dataclass(frozen=True)
class Grant:
    case_id: int
    item_id: int
    until: float  # on the grants' clock
    granted: datetime = field(default_factory=lambda: datetime.now(UTC))  # wall clock, for membership


class RevealGrants:
    """The live grant of each session; thread-safe, in memory."""

    def __init__(self, seconds: float = REVEAL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def grant(self, token: str, case_id: int, item_id: int) -> Grant | None:
        """Grant the item to the session, replacing (and returning) the grant it held, if still live."""
        now = self.clock()
        with self._lock:
            self._grants = {k: g for k, g in self._grants.items() if g.until > now}  # drop the expired
            before = self._grants.get(token_hash(token))
            self._grants[token_hash(token)] = Grant(case_id, item_id, now + self.seconds)
        return before

    def held(self, token: str) -> Grant | None:
        """The session's live grant, if any."""
        with self._lock:
            found = self._grants.get(token_hash(token))
        return found if found is not None and found.until > self.clock() else None

    def left(self, token: str) -> float:
        """Seconds the session's live grant has left (0 without one)."""
        found = self.held(token)
        return max(0.0, found.until - self.clock()) if found is not None else 0.0

    def allows(self, token: str, case_id: int, item_id: int) -> bool:
        found = self.held(token)
        return found is not None and (found.case_id, found.item_id) == (case_id, item_id)

    def withdraw(self, token: str) -> None:
        with self._lock:
            self._grants.pop(token_hash(token), None)


def has_picture(record: ItemRecord) -> bool:
    """A picture or video that was decoded (it has a perceptual hash): one there is something to show
    of. A truncated or undecodable one is no picture here: no broken tile, no reveal of nothing."""
    digests = record.digests
    media = digests.media_type if digests else None
    return (record.status != "error" and (is_image(media) or is_video(media)) and digests is not None
            and any(isinstance(found, PerceptualDigest) for found in digests.perceptual.values()))


def require_picture(record: ItemRecord) -> None:
    """UsageError unless the item has a picture to look at: only what a reviewer can be shown is revealed
    or given a category (a text file's category would reach the court report as if someone had seen it)."""
    if not has_picture(record):
        raise UsageError(f"item {record.id} has no picture or video to look at: it cannot be revealed or "
                         "categorised")


def reveal(store: Store, grants: RevealGrants, user: User, token: str, case: CaseRecord, item_id: int,
           ref: str) -> float:
    """Record the reveal in the case's trail, then grant it (never a grant without its entry); the
    seconds it lasts. The item must already be known to be of the case (the caller checked)."""
    require(user, "reveal")
    details: dict[str, object] = {"ref": ref, "seconds": grants.seconds}
    held = grants.held(token)  # what this reveal withdraws, for the trail
    if held is not None and (held.case_id, held.item_id) != (case.id, item_id):
        details["withdraws"] = {"case": held.case_id, "item": held.item_id}
    audit.append(store, "reveal", user=user.name, case_id=case.id, item_id=item_id, details=details)
    grants.grant(token, case.id, item_id)
    return grants.seconds


def shows_plain(store: Store, grants: RevealGrants, user: User, token: str, case: CaseRecord, item_id: int) -> bool:
    """Whether this session may be sent the item's plain picture now (see revealed_item)."""
    return revealed_item(store, grants, user, token, case) == item_id


def revealed_item(store: Store, grants: RevealGrants, user: User, token: str, case: CaseRecord) -> int | None:
    """The item of this case the session may see plainly now, if any: its live grant is for this case,
    and was made since the user's membership of the case began (an admin needs none). A grant made
    before was made under an access since withdrawn (a membership revoked, then given again within the
    grant's minutes) and shows nothing plain. The one rule for the picture sent and for the pages that
    mark an item revealed."""
    held = grants.held(token)
    if held is None or held.case_id != case.id:
        return None
    if user.role == "admin":
        return held.item_id
    since = review_store(store).member_since(user.id, case.id)
    return held.item_id if since is not None and held.granted >= since else None
