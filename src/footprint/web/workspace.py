"""The web app's one door to the core: the store, the review core (accounts, sessions, membership,
decisions, clusters, queue, audit trail) and review pictures, for the pages to call.

Every method that touches a case takes the case returned by ``case()``, which has already checked
membership; an item id that is not of that case is NotFound, the same as an item that does not
exist. Nothing is decided here: the review core decides, audits and orders.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from footprint.errors import NotFound
from footprint.intel.caseview import CaseLinks, LinkCache, case_view
from footprint.pipeline.thumbnails import BLUR_RANGE, picture_for
from footprint.private import private_dir
from footprint.review import accounts, audit, clusters, decisions, reports, reveals, sessions
from footprint.review.accounts import User
from footprint.review.queue import QueueFilters, review_queue
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import CaseRecord, ExhibitRecord, ItemRecord
from footprint.web import views
from footprint.web.security import LoginLimiter, load_secret

if TYPE_CHECKING:
    from footprint.web.app import WebConfig
    from footprint.web.session import Session


class GridPage(NamedTuple):
    tiles: list[views.Tile]
    total: int  # entries the filters leave in all
    page: int  # the page shown (from 1)
    pages: int  # how many there are (at least 1)


class Workspace:
    def __init__(self, settings: Settings, config: WebConfig) -> None:
        self.settings = settings
        self.config = config
        for folder in (settings.home, settings.home / "thumbnails", settings.home / "storyboards"):
            private_dir(folder)  # the colour copies an older footprint left readable are narrowed now
        self.store = open_store(settings.database_url)
        self.secret = load_secret(settings.home)
        self.limiter = LoginLimiter(config.login_attempts, config.login_window)
        self.reveals = reveals.RevealGrants(config.reveal_seconds)
        self.link_cache = LinkCache(self.store)

    # -- sessions and settings ------------------------------------------------------------------

    def login(self, username: str, password: str, address: str) -> str | None:
        return sessions.login(self.store, username, password, address)

    def session_user(self, token: str) -> User | None:
        return sessions.session_user(self.store, token)

    def logout(self, session: Session) -> None:
        self.reveals.withdraw(session.token)
        sessions.logout(self.store, session.token, session.user)

    def blur(self, user: User) -> int:
        """The user's blur strength, never under the floor (a strength saved when the floor was lower)."""
        return max(BLUR_RANGE[0], user.blur or self.config.default_blur)

    def set_blur(self, session: Session, strength: int) -> None:
        accounts.set_blur(self.store, session.user, strength)

    # -- cases and items ------------------------------------------------------------------------

    def cases(self, session: Session) -> list[CaseRecord]:
        return accounts.cases_of(self.store, session.user)

    def case(self, session: Session, case_id: int) -> CaseRecord:
        """The case if the user may see it; NotFound otherwise (as for a case that does not exist)."""
        accounts.require(session.user, "view")
        return accounts.case_for(self.store, session.user, case_id)

    def exhibits(self, case: CaseRecord) -> list[ExhibitRecord]:
        return self.store.list_exhibits(case.id)

    def record(self, case: CaseRecord, item_id: int) -> ItemRecord:
        get_item = getattr(self.store, "get_item", None)
        if get_item is None:
            raise NotFound(f"item {item_id} not found")
        found: ItemRecord = get_item(case.id, item_id)
        return found

    def exhibit_of(self, case: CaseRecord, item_id: int) -> ExhibitRecord:
        found = self.store.find_exhibit(case.id, self.record(case, item_id).exhibit or "")
        if found is None:
            raise NotFound(f"item {item_id} not found")
        return found

    def picture(self, session: Session, case: CaseRecord, item_id: int, size: str,
                blurred: bool = False) -> tuple[Path, bool]:
        """The picture to send and whether it is the plain one: blurred and greyscale (at the user's
        strength) unless this session revealed this item and the reveal is still live. NotFound for an item
        the pages say has no picture (reveals.has_picture: the one rule for the grid, the item page, the
        reveal and these pictures), even where a thumbnail could be drawn (a picture too small to hash)."""
        record = self.record(case, item_id)
        if not reveals.has_picture(record):
            raise NotFound(f"item {item_id} has no picture")
        exhibit = self.store.find_exhibit(case.id, record.exhibit or "")
        plain = not blurred and reveals.shows_plain(self.store, self.reveals, session.user, session.token, case,
                                                    item_id)
        blur = None if plain else self.blur(session.user)
        path = picture_for(self.settings, exhibit, record, size, blur) if exhibit else None
        if path is None:
            raise NotFound(f"item {item_id} has no picture")
        return path, plain

    def grid(self, session: Session, case: CaseRecord, filters: QueueFilters, page: int, size: int) -> GridPage:
        """Page ``page`` (from 1) of the case's queue, ``size`` tiles a page; a page past the last is the
        last (page 1 of an empty queue), so the page drawn always says which one it shows."""
        entries, total = review_queue(self.store, case, filters, (page - 1) * size, size)
        pages = max(1, -(-total // size))
        if page > pages:
            page = pages
            entries, total = review_queue(self.store, case, filters, (page - 1) * size, size)
        tiles = [views.tile(e.record, e.category, e.cluster, e.cluster_size) for e in entries]
        audit.append(self.store, "view.grid", user=session.user.name, case_id=case.id,
                     details={"items": [t.id for t in tiles], "offset": (page - 1) * size,
                              "filters": filters.__dict__})
        return GridPage(tiles, total, page, pages)

    def item_view(self, session: Session, case: CaseRecord, item_id: int) -> views.ItemView:
        record = self.record(case, item_id)
        cluster, size = clusters.cluster_of(self.store, case, item_id)
        current = decisions.current(self.store, item_id)
        audit.append(self.store, "view", user=session.user.name, case_id=case.id, item_id=item_id,
                     details={"ref": record.ref})
        return views.item_view(record, category=current.category if current else None, cluster=cluster,
                               cluster_size=size)

    def links(self, session: Session, case: CaseRecord) -> CaseLinks:
        """The case's links as this user may see them (intel/caseview decides what is withheld);
        the view is audited with the other cases it disclosed and whether in full or restricted."""
        every = self.store.list_cases()
        visible = {c.id for c in accounts.cases_of(self.store, session.user)}
        groups, report = self.link_cache.snapshot()
        found = case_view(groups, case, {c.name: c.id for c in every}, visible, self.config.link_case_names,
                          report.set_aside)
        audit.append(self.store, "view.links", user=session.user.name, case_id=case.id,
                     details={"links": len(found.links),
                              "cases": {str(s.case_id): "full" if s.visible else "restricted" for s in found.summary}})
        return found

    # -- decisions, reveals, the audit trail ----------------------------------------------------

    def decide(self, session: Session, case: CaseRecord, item_id: int, category: str,
               cluster_seen: int | None = None) -> list[int]:
        """The ids decided: the item, or with ``cluster_seen`` (the cluster's size as the page showed it)
        every item of its near-duplicate cluster, refused when the cluster has since grown or joined
        another (decisions.decide_cluster): no category lands on a picture the reviewer was not shown, nor
        on an item with no picture at all (reveals.require_picture)."""
        reveals.require_picture(self.record(case, item_id))
        if cluster_seen is None:
            return [d.item_id for d in decisions.decide(self.store, session.user, case, [item_id], category)]
        found = decisions.decide_cluster(self.store, session.user, case, item_id, category, seen_size=cluster_seen)
        return [d.item_id for d in found]

    def history(self, case: CaseRecord, item_id: int) -> list[dict[str, Any]]:
        return [{"when": d.decided_at.strftime("%Y-%m-%d %H:%M:%S"), "who": d.decided_by, "category": d.category}
                for d in decisions.history(self.store, item_id)]

    def reveal(self, session: Session, case: CaseRecord, item_id: int) -> float:
        """Reveal one item to this session (audited; withdraws any other); the seconds it lasts."""
        accounts.require(session.user, "reveal")
        record = self.record(case, item_id)
        reveals.require_picture(record)
        return reveals.reveal(self.store, self.reveals, session.user, session.token, case, item_id, record.ref)

    def reveal_left(self, session: Session) -> int:
        """Whole seconds the session's reveal has left, for the page to end it on time (0: none)."""
        return int(self.reveals.left(session.token))

    def revealed(self, session: Session, case: CaseRecord) -> int | None:
        """The item of this case this session may see plainly now, if any (pages mark it revealed): the
        item whose picture is sent plain (reveals.revealed_item decides both)."""
        return reveals.revealed_item(self.store, self.reveals, session.user, session.token, case)

    def audit_entries(self, session: Session, case: CaseRecord, offset: int,
                      limit: int) -> tuple[list[dict[str, Any]], bool]:
        """A page of the case's trail, newest first, and whether older entries follow."""
        accounts.require(session.user, "audit")
        rows = audit.entries(self.store, case.id, offset, limit + 1)
        shown = [{"seq": r.seq, "when": r.at.strftime("%Y-%m-%d %H:%M:%S"), "who": r.user or "", "action": r.action,
                  "item_id": r.item_id, "details": _details(r.details), "hash": r.hash} for r in rows[:limit]]
        return shown, len(rows) > limit

    # -- the detection service's reports ----------------------------------------------------------

    def reports(self, session: Session, status: str | None, after: int,
                limit: int) -> tuple[list[views.ReportRow], dict[str, int]]:
        found = reports.list_reports(self.store, session.user, status, after, limit)
        return [views.report_row(r) for r in found], reports.counts(self.store, session.user)

    def report(self, session: Session, report_id: int) -> views.ReportView:
        return views.report_view(reports.open_report(self.store, session.user, report_id))

    def set_report_status(self, session: Session, report_id: int, status: str, notes: str | None) -> str:
        return reports.set_status(self.store, session.user, report_id, status, notes).status

    def verify(self, case: CaseRecord) -> dict[str, Any]:
        result = audit.verify(self.store, case.id)
        return {"ok": result.ok, "count": result.entries, "head": result.head or "(empty)",
                "problem": result.problem}


def _details(details: Any) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(dict(details).items()))
