"""Local accounts: Argon2id password hashes, the four roles and what each may do, and case membership.

What a role may do is one table (PERMISSIONS), read by ``allowed``/``require``; who may see a case is
membership (``can_access``), except for admins, who see every case. A case the user may not see is
NotFound, never "forbidden", so that its existence does not leak; an action the role does not have is
AccessDenied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from footprint.errors import AccessDenied, NotFound, UsageError
from footprint.review import audit
from footprint.store.base import CaseRecord, Store
from footprint.store.reviewstore import UserRow, review_store

ROLES = ("admin", "investigator", "reviewer", "auditor")
ACTIONS = ("view", "reveal", "decide", "export", "manage_members", "audit", "manage_users", "review_reports")
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    # review_reports: the detection service's match reports (review/reports.py), which hold uploader details
    "investigator": frozenset({"view", "reveal", "decide", "export", "manage_members", "review_reports"}),
    "reviewer": frozenset({"view", "reveal", "decide"}),
    "auditor": frozenset({"view", "audit"}),  # read-only: sees pictures blurred, never reveals or decides
}
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 12
BLUR_RANGE = (8, 40)  # the weakest blur a user may choose: see pipeline/thumbnails.py

# Argon2id (argon2-cffi's default type) with its RFC 9106 "low memory" parameters: 64 MiB, 3 passes.
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong name costs the same time as a wrong
    password. Made on first use, not at import: an Argon2 hash takes 0.1-0.2 s, which every command
    would pay (footprint --version included)."""
    return _HASHER.hash("footprint: no such user")


@dataclass(frozen=True)
class User:
    """An account as the rest of the program sees it: never with its password hash."""

    id: int
    name: str
    role: str
    active: bool
    created: datetime
    blur: int | None = None

    def may(self, action: str) -> bool:
        return allowed(self.role, action)


def public_user(row: UserRow) -> User:
    return User(id=row.id, name=row.name, role=row.role, active=row.active, created=row.created, blur=row.blur)


def allowed(role: str, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in PERMISSIONS.get(role, frozenset())


def require(user: User, action: str) -> None:
    if not user.active or not allowed(user.role, action):
        raise AccessDenied(f"user {user.name!r} ({user.role}) may not {action.replace('_', ' ')}")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


# -- accounts ---------------------------------------------------------------------------------


def check_new_user(name: str, role: str) -> None:
    """UsageError for a name or role a new user cannot have (checked before any password is asked for)."""
    if not USER_NAME.fullmatch(name):
        raise UsageError(f"a user name is letters, digits, '.', '_', '@' and '-' (64 at most), not {name!r}")
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")


def add_user(store: Store, name: str, password: str, role: str, *, by: str | None = None) -> User:
    check_new_user(name, role)
    user = public_user(review_store(store).add_user(name, hash_password(password), role))
    audit.append(store, "user.add", user=by, details={"name": name, "role": role})
    return user


def get_user(store: Store, name: str) -> User:
    return public_user(review_store(store).get_user(name))


def list_users(store: Store) -> list[User]:
    return [public_user(row) for row in review_store(store).list_users()]


def set_active(store: Store, name: str, active: bool, *, by: str | None = None) -> User:
    """Disable (or enable again) an account; a disabled account's sessions end at once."""
    reviews = review_store(store)
    row = reviews.get_user(name)
    reviews.update_user(row.id, active=active)
    if not active:
        reviews.remove_sessions(user_id=row.id)
    audit.append(store, "user.enable" if active else "user.disable", user=by, details={"name": name})
    return get_user(store, name)


def set_password(store: Store, name: str, password: str, *, by: str | None = None) -> None:
    reviews = review_store(store)
    row = reviews.get_user(name)
    reviews.update_user(row.id, password_hash=hash_password(password))
    reviews.remove_sessions(user_id=row.id)
    audit.append(store, "user.password", user=by, details={"name": name})


def set_blur(store: Store, user: User, strength: int) -> None:
    """The user's own blur strength for pictures (a wellness setting, audited as a setting change)."""
    low, high = BLUR_RANGE
    if not low <= strength <= high:
        raise UsageError(f"blur strength is {low} to {high} pixels, not {strength}")
    review_store(store).update_user(user.id, blur=strength)
    audit.append(store, "setting", user=user.name, details={"blur": strength})


def check_password(store: Store, name: str, password: str) -> User | None:
    """The active user whose password this is, else None (same work either way). An old hash (weaker
    parameters than today's) is replaced with a new one on success."""
    reviews = review_store(store)
    row = reviews.find_user(name)
    try:
        _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        reviews.update_user(row.id, password_hash=_HASHER.hash(password))
    return public_user(row)


# -- cases ------------------------------------------------------------------------------------


def can_access(store: Store, user: User, case: CaseRecord | int) -> bool:
    """Admins see every case; everyone else only the cases they are a member of."""
    if not user.active:
        return False
    if user.role == "admin":
        return True
    return review_store(store).is_member(user.id, case if isinstance(case, int) else case.id)


def case_for(store: Store, user: User, case_id: int) -> CaseRecord:
    """The case, if the user may see it; otherwise NotFound, exactly as for a case that does not exist."""
    if can_access(store, user, case_id):
        for case in store.list_cases():
            if case.id == case_id:
                return case
    raise NotFound(f"case {case_id} not found")


def cases_of(store: Store, user: User) -> list[CaseRecord]:
    """The cases the user may see, by name."""
    if not user.active:
        return []
    every = store.list_cases()
    if user.role == "admin":
        return every
    mine = set(review_store(store).member_case_ids(user.id))
    return [case for case in every if case.id in mine]


def grant(store: Store, name: str, case_name: str, *, by: User | None = None, actor: str | None = None) -> bool:
    """Make the user a member of the case (True if newly). ``by``, when given, must be an admin or an
    investigator who is a member of the case; without it (the command line, run by whoever holds the
    store) ``actor`` names who did it in the audit trail."""
    return _membership(store, name, case_name, True, by, actor)


def revoke(store: Store, name: str, case_name: str, *, by: User | None = None, actor: str | None = None) -> bool:
    """End the user's membership of the case (True if they were a member); checked and audited as grant."""
    return _membership(store, name, case_name, False, by, actor)


def _membership(store: Store, name: str, case_name: str, member: bool, by: User | None, actor: str | None) -> bool:
    case = store.get_case(case_name)
    _check_manager(store, by, case)
    reviews = review_store(store)
    user_id = reviews.get_user(name).id
    changed = reviews.add_member(user_id, case.id) if member else reviews.remove_member(user_id, case.id)
    if changed:
        audit.append(store, "member.add" if member else "member.remove", user=by.name if by else actor,
                     case_id=case.id, details={"name": name})
    return changed


def member_case_ids(store: Store, user: User) -> list[int]:
    """Ids of the cases the user is a member of (an admin sees others too, see ``cases_of``)."""
    return review_store(store).member_case_ids(user.id)


def members(store: Store, case_name: str) -> list[str]:
    return review_store(store).members(store.get_case(case_name).id)


def _check_manager(store: Store, by: User | None, case: CaseRecord) -> None:
    if by is None:
        return
    require(by, "manage_members")
    if not can_access(store, by, case):
        raise NotFound(f"case {case.name!r} not found")
