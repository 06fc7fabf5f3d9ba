"""A case store (SQLite and PostgreSQL) with one case of benign generated pictures, for the review core."""

from __future__ import annotations

import pytest
from reviewdata import PASSWORD, Seeded, pictures, seed

from footprint.review import accounts
from footprint.store import open_store


@pytest.fixture
def store(sql_url):
    opened = open_store(sql_url)
    yield opened
    opened.close()


@pytest.fixture
def seeded(store) -> Seeded:
    return seed(store, "op", pictures())


@pytest.fixture
def reviewer(seeded):
    user = accounts.add_user(seeded.store, "rita", PASSWORD, "reviewer")
    accounts.grant(seeded.store, "rita", "op")
    return user
