"""The web app's one door to the core: the store, the review core (accounts, sessions, membership,
decisions, clusters, audit trail) and review pictures, for the pages to call.

Every method that touches a case takes the session and the case returned by ``case()``, which has
already checked membership; an item id that is not in that case is NotFound, the same as an item
that does not exist. Nothing is decided here: the review core decides, audits and orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from footprint.errors import NotFound
from footprint.pipeline.thumbnails import picture_for
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import CaseRecord, ExhibitRecord, ItemRecord
from footprint.web import views
from footprint.web.security import LoginLimiter, load_secret

if TYPE_CHECKING:
    from footprint.web.app import WebConfig
    from footprint.web.session import Session


@dataclass(frozen=True)
class GridFilters:
    show: str = "new-first"  # new-first | unmatched | matched | all
    category: str = ""  # a category code, "none" (not yet decided) or "" (any)
    exhibit: str = ""
    state: str = ""  # allocated | deleted | carved | ""
    cluster: int | None = None

    @property
    def narrowing(self) -> bool:
        return bool(self.show in ("matched", "unmatched") or self.category or self.exhibit or self.state
                    or self.cluster is not None)


class Workspace:
    def __init__(self, settings: Settings, config: WebConfig) -> None:
        self.settings = settings
        self.config = config
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = open_store(settings.database_url)
        self.secret = load_secret(settings.home)
        self.limiter = LoginLimiter(config.login_attempts, config.login_window)

    # -- items of a case ----------------------------------------------------------------------

    def exhibits(self, case: CaseRecord) -> list[ExhibitRecord]:
        return self.store.list_exhibits(case.id)

    def record(self, case: CaseRecord, item_id: int) -> ItemRecord:
        for record in self.store.iter_items(case.id):
            if record.id == item_id:
                return record
        raise NotFound(f"item {item_id} not found")

    def exhibit_of(self, case: CaseRecord, item_id: int) -> ExhibitRecord:
        record = self.record(case, item_id)
        found = self.store.find_exhibit(case.id, record.exhibit or "")
        if found is None:
            raise NotFound(f"item {item_id} not found")
        return found

    def picture(self, session: Session, case: CaseRecord, item_id: int, size: str) -> Path:
        record = self.record(case, item_id)
        path = picture_for(self.settings, self.exhibit_of(case, item_id), record, size)
        if path is None:
            raise NotFound(f"item {item_id} has no picture")
        return path

    def item_view(self, session: Session, case: CaseRecord, item_id: int) -> views.ItemView:
        record = self.record(case, item_id)
        cluster, size = self.cluster_of(case, item_id)
        self.audit(session, case, "view", item_id, {"ref": record.ref})
        return views.item_view(record, category=self.category_of(case, item_id), cluster=cluster,
                               cluster_size=size)

    def grid(self, session: Session, case: CaseRecord, filters: GridFilters, offset: int,
             limit: int) -> tuple[list[views.Tile], int]:
        raise NotImplementedError

    # -- review core bindings -------------------------------------------------------------------

    def login(self, username: str, password: str, address: str) -> str | None:
        raise NotImplementedError

    def session_user(self, token: str) -> Any:
        raise NotImplementedError

    def logout(self, session: Session) -> None:
        raise NotImplementedError

    def blur(self, user: Any) -> int:
        return self.config.default_blur

    def set_blur(self, session: Session, strength: int) -> None:
        raise NotImplementedError

    def cases(self, session: Session) -> list[CaseRecord]:
        raise NotImplementedError

    def case(self, session: Session, case_id: int) -> CaseRecord:
        raise NotImplementedError

    def category_of(self, case: CaseRecord, item_id: int) -> str | None:
        raise NotImplementedError

    def cluster_of(self, case: CaseRecord, item_id: int) -> tuple[int | None, int]:
        raise NotImplementedError

    def decide(self, session: Session, case: CaseRecord, item_id: int, category: str, cluster: bool) -> list[int]:
        raise NotImplementedError

    def history(self, case: CaseRecord, item_id: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    def reveal(self, session: Session, case: CaseRecord, item_id: int) -> None:
        self.record(case, item_id)
        self.audit(session, case, "reveal", item_id, {})

    def audit(self, session: Session, case: CaseRecord, action: str, item_id: int | None,
              details: dict[str, Any]) -> None:
        raise NotImplementedError

    def audit_entries(self, session: Session, case: CaseRecord, offset: int,
                      limit: int) -> tuple[list[dict[str, Any]], bool]:
        raise NotImplementedError

    def verify(self, case: CaseRecord) -> dict[str, Any]:
        raise NotImplementedError
