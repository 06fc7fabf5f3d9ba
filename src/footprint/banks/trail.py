"""Changes to what the service matches, and to who may use it, in the global audit trail.

Every change a bank, its entries, its allow-list, an API key or a webhook undergoes is one entry of the
global chain (review/audit.py: hash-chained, checked by ``footprint audit verify --global``), written in
the change's own transaction: a change the trail does not show is never committed. The entry names the
actor (``apikey:NAME`` for the HTTP API, ``cli:USER`` for the command line, as the reports' entries do;
None for a caller that named no one), and its details the bank, entry, key or webhook, the values
before and after, and the reason where there is one. Never a token or a webhook's secret.

Actions: ``bank.create``, ``bank.serve``, ``bank.change``, ``bank.unserve``, ``bank.add``,
``bank.remove``, ``bank.allow``, ``bank.disallow``, ``apikey.add``, ``apikey.revoke``, ``webhook.add``,
``webhook.remove`` (docs/cli.md lists their details).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from footprint.review import audit
from footprint.store.reviewstore import ReviewStore


def record(conn: Connection, action: str, actor: str | None, details: Mapping[str, Any]) -> None:
    """One entry in the global chain, inside the caller's write transaction ``conn``."""
    audit.append_in(ReviewStore(conn.engine), conn, action, user=actor, details=details)
