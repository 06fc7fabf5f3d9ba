"""Accounts: Argon2id hashes, passwords, roles, membership and server-side sessions."""

from __future__ import annotations

import hashlib

import pytest
from argon2 import PasswordHasher
from reviewdata import PASSWORD
from sqlalchemy import select, update

from footprint.errors import AccessDenied, AlreadyExists, NotFound, UsageError
from footprint.review import accounts, audit, sessions
from footprint.store.schema_review import review_sessions, review_users


def _stored_hash(store, name):
    with store.engine.connect() as conn:
        return conn.execute(select(review_users.c.password_hash).where(review_users.c.name == name)).scalar_one()


def test_the_password_is_kept_only_as_an_argon2id_hash(store):
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    stored = _stored_hash(store, "rita")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.check_password(store, "rita", PASSWORD).name == "rita"


def test_wrong_password_unknown_user_and_disabled_account_fail(store):
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    assert accounts.check_password(store, "rita", PASSWORD + "x") is None
    assert accounts.check_password(store, "nobody", PASSWORD) is None
    accounts.set_active(store, "rita", False)
    assert accounts.check_password(store, "rita", PASSWORD) is None


def test_bad_names_roles_short_passwords_and_duplicates_are_refused(store):
    with pytest.raises(UsageError, match="role"):
        accounts.add_user(store, "rita", PASSWORD, "superuser")
    with pytest.raises(UsageError, match="12 characters"):
        accounts.add_user(store, "rita", "short", "reviewer")
    with pytest.raises(UsageError, match="user name"):
        accounts.add_user(store, "rita smith", PASSWORD, "reviewer")
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    with pytest.raises(AlreadyExists):
        accounts.add_user(store, "rita", PASSWORD, "auditor")


def test_a_hash_with_old_parameters_is_replaced_on_login(store):
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with store.engine.begin() as conn:
        conn.execute(update(review_users).values(password_hash=weak))
    assert accounts.check_password(store, "rita", PASSWORD) is not None
    renewed = _stored_hash(store, "rita")
    assert renewed != weak and "m=65536,t=3" in renewed
    assert accounts.check_password(store, "rita", PASSWORD) is not None


def test_what_each_role_may_do():
    table = {role: {a for a in accounts.ACTIONS if accounts.allowed(role, a)} for role in accounts.ROLES}
    assert table["admin"] == set(accounts.ACTIONS)
    assert table["investigator"] == {"view", "reveal", "decide", "export", "manage_members", "review_reports"}
    assert table["reviewer"] == {"view", "reveal", "decide"}
    assert table["auditor"] == {"view", "audit"}


def test_members_see_their_cases_admins_see_all(seeded):
    store = seeded.store
    other = store.create_case("elsewhere", seeded.case.scheme)
    rita = accounts.add_user(store, "rita", PASSWORD, "reviewer")
    boss = accounts.add_user(store, "boss", PASSWORD, "admin")
    accounts.grant(store, "rita", "op")
    assert accounts.can_access(store, rita, seeded.case) and not accounts.can_access(store, rita, other)
    assert [c.name for c in accounts.cases_of(store, rita)] == ["op"]
    assert {c.name for c in accounts.cases_of(store, boss)} == {"op", "elsewhere"}
    assert accounts.case_for(store, rita, seeded.case.id).name == "op"
    with pytest.raises(NotFound):
        accounts.case_for(store, rita, other.id)
    with pytest.raises(NotFound):
        accounts.case_for(store, rita, 999_999)
    assert accounts.revoke(store, "rita", "op") and accounts.cases_of(store, rita) == []


def test_only_managers_of_the_case_grant_membership(seeded):
    store = seeded.store
    store.create_case("elsewhere", seeded.case.scheme)
    rita = accounts.add_user(store, "rita", PASSWORD, "reviewer")
    ian = accounts.add_user(store, "ian", PASSWORD, "investigator")
    accounts.add_user(store, "ann", PASSWORD, "auditor")
    accounts.grant(store, "ian", "op")
    with pytest.raises(AccessDenied):
        accounts.grant(store, "ann", "op", by=rita)
    with pytest.raises(NotFound):
        accounts.grant(store, "ann", "elsewhere", by=ian)
    assert accounts.grant(store, "ann", "op", by=ian)
    assert accounts.members(store, "op") == ["ann", "ian"]
    assert [e.action for e in audit.iter_entries(store, seeded.case.id)] == ["member.add", "member.add"]
    assert [e.user for e in audit.iter_entries(store, seeded.case.id)] == [None, "ian"]


def test_sessions_keep_only_the_tokens_hash_and_end(store):
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    assert sessions.login(store, "rita", "wrong password!", "10.0.0.1") is None
    token = sessions.login(store, "rita", PASSWORD, "10.0.0.1")
    assert token and sessions.session_user(store, token).name == "rita"
    with store.engine.connect() as conn:
        kept = conn.execute(select(review_sessions.c.token_sha256)).scalars().all()
    assert kept == [hashlib.sha256(token.encode()).hexdigest()]
    assert sessions.session_user(store, token + "x") is None
    user = sessions.session_user(store, token)
    sessions.logout(store, token, user)
    assert sessions.session_user(store, token) is None
    actions = [(e.action, e.user, e.details.get("address")) for e in audit.iter_entries(store, None)]
    assert actions == [("user.add", None, None), ("login.failed", "rita", "10.0.0.1"), ("login", "rita", "10.0.0.1"),
                       ("logout", "rita", None)]


def test_disabling_an_account_ends_its_sessions(store):
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    token = sessions.login(store, "rita", PASSWORD)
    accounts.set_active(store, "rita", False)
    assert sessions.session_user(store, token) is None
    accounts.set_active(store, "rita", True)
    assert sessions.session_user(store, token) is None  # gone, not merely suspended


def test_an_expired_session_is_refused(store):
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    token = sessions.login(store, "rita", PASSWORD)
    with store.engine.begin() as conn:
        conn.execute(update(review_sessions).values(expires=review_sessions.c.created))
    assert sessions.session_user(store, token) is None


def test_blur_is_a_per_user_audited_setting(store):
    rita = accounts.add_user(store, "rita", PASSWORD, "reviewer")
    accounts.set_blur(store, rita, 20)
    assert accounts.get_user(store, "rita").blur == 20
    with pytest.raises(UsageError):
        accounts.set_blur(store, rita, 100)
    assert [(e.action, e.details) for e in audit.iter_entries(store, None)][-1] == ("setting", {"blur": 20})
