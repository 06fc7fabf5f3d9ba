"""Tables of the review workspace: accounts, memberships, sessions, decisions and the audit trail (issue 5).

Declared on the store's one ``metadata``; created by their own numbered migration (0004).

Choices worth knowing:

* Passwords are kept only as Argon2id hashes, session tokens only as their SHA-256: a copy of the
  database lets nobody log in.
* ``review_decisions`` is append-only: a new decision is a new row, the current one is the newest
  (highest id) for the item, and the history is every row.
* The audit trail is one hash chain per case (``audit_chains.name`` ``case:<id>``) plus one ``global``
  chain for events of no case (logins, accounts). ``audit_chains`` holds each chain's head and is the
  row an appender locks (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises every
  writer), and ``(chain, seq)`` is unique, so two appenders can never fork a chain.
* Audit rows keep names and ids as plain values, with no foreign keys: the trail outlives users, items
  and cases, and nothing cascades into it.
* Near-duplicate clusters (migration 0007) are computed once per case and kept: ``review_clusters`` has
  one row per item that is in a cluster (its cluster id is the cluster's smallest item id), and
  ``review_cluster_state`` the (item count, newest item id, distance) they were computed from, so a
  reader can tell when the case's items changed and the clusters must be computed again.
* Near copies of matched items (migration 0008, intel/newmaterial.py) are kept the same way:
  ``review_near_copies`` one row per unmatched item that is a near copy of a matched item of its case,
  ``review_near_state`` the basis they were computed from (items, matches, the lists' thresholds).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, Table, Text, UniqueConstraint

from .columns import DOC, HEX, ID, NAME, UTCDateTime, id_column, metadata

review_users = Table(
    "review_users", metadata, id_column(),
    Column("name", NAME, nullable=False),
    Column("password_hash", Text, nullable=False),  # Argon2id, PHC string form
    Column("role", Text, nullable=False),  # admin | investigator | reviewer | auditor
    Column("active", Boolean, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("blur", Integer),  # the user's picture blur strength; NULL: the workspace default
    UniqueConstraint("name", name="uq_review_users_name"),
    sqlite_autoincrement=True,
)

review_members = Table(
    "review_members", metadata,
    Column("user_id", ID, ForeignKey("review_users.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("added", UTCDateTime, nullable=False),
    Index("ix_review_members_case_id", "case_id"),
)

review_sessions = Table(
    "review_sessions", metadata, id_column(),
    Column("token_sha256", HEX, nullable=False),
    Column("user_id", ID, ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("expires", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    UniqueConstraint("token_sha256", name="uq_review_sessions_token_sha256"),
    Index("ix_review_sessions_user_id", "user_id"),
    sqlite_autoincrement=True,
)

review_decisions = Table(
    "review_decisions", metadata, id_column(),
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("scheme", Text, nullable=False),  # uk | vics: the case's scheme when decided
    Column("category", Text, nullable=False),  # "uk:A", "vics:3": Category's text form
    Column("decided_by", NAME, nullable=False),  # the user's name (kept if the account goes)
    Column("decided_at", UTCDateTime, nullable=False),
    Index("ix_review_decisions_item_id_id", "item_id", "id"),
    sqlite_autoincrement=True,
)

audit_chains = Table(
    "audit_chains", metadata, id_column(),
    Column("name", NAME, nullable=False),  # "case:<id>" or "global"
    Column("case_id", BigInteger),
    Column("head_seq", BigInteger, nullable=False),  # 0 before the first entry
    Column("head_hash", HEX, nullable=False),
    UniqueConstraint("name", name="uq_audit_chains_name"),
    sqlite_autoincrement=True,
)

audit_log = Table(
    "audit_log", metadata, id_column(),
    Column("chain", NAME, nullable=False),
    Column("seq", BigInteger, nullable=False),  # 1, 2, 3 ... within the chain
    Column("at", UTCDateTime, nullable=False),
    Column("user_name", NAME),
    Column("action", Text, nullable=False),
    Column("case_id", BigInteger),
    Column("item_id", BigInteger),
    Column("details", DOC, nullable=False),
    Column("prev_hash", HEX, nullable=False),
    Column("hash", HEX, nullable=False),
    UniqueConstraint("chain", "seq", name="uq_audit_log_chain_seq"),
    sqlite_autoincrement=True,
)

review_cluster_state = Table(
    "review_cluster_state", metadata,
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("item_count", BigInteger, nullable=False),
    Column("newest_item", BigInteger, nullable=False),
    Column("distance", Integer, nullable=False),
    Column("built", UTCDateTime, nullable=False),
)

review_clusters = Table(
    "review_clusters", metadata,
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("cluster_id", BigInteger, nullable=False),
    Index("ix_review_clusters_case_id_cluster_id", "case_id", "cluster_id"),
)

review_near_state = Table(
    "review_near_state", metadata,
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("basis", Text, nullable=False),  # what they were computed from (store/nearstore.py)
    Column("built", UTCDateTime, nullable=False),
)

review_near_copies = Table(
    "review_near_copies", metadata,
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("near_item", BigInteger, nullable=False),  # the matched item it is a near copy of
    Column("distance", Integer, nullable=False),
    Column("algorithm", Text, nullable=False),  # pdq | pdq-regions
    Column("details", DOC, nullable=False),
    Index("ix_review_near_copies_case_id", "case_id"),
)
