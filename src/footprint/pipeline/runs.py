"""Which hash sets an exhibit's items were matched against, when its scan ran more than once.

A scan that is interrupted and resumed, or split into parts on a cluster, reads an exhibit's items in
several runs, and each run matches them against the hash sets in the store when it starts. If a list is
imported (or removed) between runs, some items were matched against it and others were not. The record
must not say "matched against" a list that part of the items never met: a court reading "no match against
list X" must be able to rely on it.

So every run records the lists it matched with (``details["runs"]``, appended as it starts, before it saves
an item), and the exhibit, once finished, names as ``hash_sets`` only the lists of every run, and as
``hash_sets_partial`` any other list, with how many of the runs used it.

A re-match of the stored hashes of a finished exhibit (pipeline.rematch) matches every item against the
lists it does not name in ``hash_sets``; afterwards they join ``hash_sets`` with when and how they were
applied (``"applied"``, ``"how": "rematch"``) and leave ``hash_sets_partial``. Its own record goes in
``details["rematches"]``, not among the runs: it read no evidence and computed no hash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from footprint.store.codec import now
from footprint.versions import software


def run_record(hash_sets: Sequence[Mapping[str, object]], hashers: Sequence[str],
               skipped: Sequence[str] = (), settings: Mapping[str, object] | None = None) -> dict[str, object]:
    """What a run records as it starts: when, the lists it matches with (Matcher.describe()), the hashes it
    computes and those it was told to leave out (``footprint scan --skip``), the software that reads and
    hashes (footprint.versions), and the settings that bound what it read (the limits: archive depth and
    member sizes, what is decoded; ``settings``: Settings.describe() less where the data lives)."""
    tuning = {k: v for k, v in (settings or {}).items() if k not in ("home", "database_url")}
    return {"started": now().isoformat(), "hash_sets": [dict(h) for h in hash_sets], "hashers": list(hashers),
            "skipped_hashers": list(skipped), "software": software(), **({"settings": tuning} if tuning else {})}


def applied_lists(runs: Sequence[Mapping[str, object]], current: Sequence[Mapping[str, object]]
                  ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(lists every run matched with, the others with ``runs_applied`` of ``runs``).

    ``current`` (the lists as the exhibit finishes) stands in when no run was recorded (an exhibit whose
    earlier runs predate this record)."""
    if not runs:
        return [dict(h) for h in current], []
    return _every_and_partial([_lists(run) for run in runs], _key)


def applied_known_good(runs: Sequence[Mapping[str, object]], current: Sequence[Mapping[str, object]]
                       ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(known-good lists every run looked items up in, as the first run that used each recorded it; the
    others, with ``runs_applied`` of ``runs``). Runs record their known-good lists since cluster parts
    could disagree; ``current`` (the lists as the exhibit finishes) stands in when no run recorded them."""
    recorded = [found for run in runs if isinstance(found := run.get("known_good_lists"), list)]
    if not recorded:
        return [dict(h) for h in current], []
    return _every_and_partial([[h for h in lists if isinstance(h, Mapping)] for lists in recorded], _good_key)


def _every_and_partial(per_run_lists: Sequence[Sequence[Mapping[str, object]]],
                       key_of: Callable[[Mapping[str, object]], tuple[object, ...]]
                       ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(the lists every run used, as the first run that used each recorded it; the others, with
    ``runs_applied`` of ``runs``), a list told apart from another by ``key_of``."""
    per_run = [{key_of(h): dict(h) for h in lists} for lists in per_run_lists]
    seen: dict[tuple[object, ...], dict[str, object]] = {}
    for lists in per_run:
        for key, facts in lists.items():
            seen.setdefault(key, facts)
    every = [facts for key, facts in seen.items() if all(key in lists for lists in per_run)]
    partial = [{**facts, "runs_applied": sum(key in lists for lists in per_run), "runs": len(per_run)}
               for key, facts in seen.items() if not all(key in lists for lists in per_run)]
    return every, partial


def _good_key(facts: Mapping[str, object]) -> tuple[object, ...]:
    return tuple(facts.get(name) for name in ("name", "source_sha256", "imported"))


def recorded_runs(details: Mapping[str, object]) -> list[Mapping[str, object]]:
    """The runs an exhibit's details record (anything else recorded there is left out)."""
    return recorded(details, "runs")


def _lists(run: Mapping[str, object]) -> list[Mapping[str, object]]:
    found = run.get("hash_sets")
    return [h for h in found if isinstance(h, Mapping)] if isinstance(found, list) else []


def _key(facts: Mapping[str, object]) -> tuple[object, ...]:
    """One list, as a run met it: a list removed and imported again under its name is another list, even
    with as many entries (next month's edition of a national list), told apart by when it was imported."""
    return tuple(facts.get(name) for name in ("name", "format", "entries", "pdq_threshold", "imported"))


def _among(facts: Mapping[str, object], recorded: Sequence[Mapping[str, object]]) -> bool:
    """Whether the list ``facts`` is one of ``recorded``; a record that keeps no import time (made before
    runs recorded it) is taken on the rest of its facts."""
    key = _key(facts)
    return any(_key(h) == key or (h.get("imported") is None and _key(h)[:-1] == key[:-1]) for h in recorded)


def unapplied_lists(details: Mapping[str, object], current: Sequence[Mapping[str, object]]) -> list[str]:
    """Names of the lists in ``current`` (Matcher.describe()) that a finished exhibit's items were not all
    matched against (neither in its ``hash_sets`` nor in its ``hash_sets_partial``, or partial there):
    lists imported since its scan."""
    return [str(h.get("name")) for h in lists_to_apply(details, current)]


def lists_to_apply(details: Mapping[str, object], current: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """The lists of ``current`` that a finished exhibit's record does not name as applied to every item."""
    applied = recorded(details, "hash_sets")
    return [dict(h) for h in current if not _among(h, applied)]


def during_rematch(details: Mapping[str, object], lists: Sequence[Mapping[str, object]],
                   when: str) -> dict[str, object]:
    """The exhibit's ``hash_sets_partial`` while a re-match started at ``when`` applies ``lists``: matched
    against part of the items until it finishes (after_rematch), and so still, if it is interrupted."""
    partial = [dict(h) for h in recorded(details, "hash_sets_partial") if not _among(h, lists)]
    return {"hash_sets_partial": [*partial, *({**h, "how": "rematch", "started": when} for h in lists)]}


def after_rematch(details: Mapping[str, object], applied: Sequence[Mapping[str, object]],
                  when: str) -> dict[str, object]:
    """The exhibit's ``hash_sets`` and ``hash_sets_partial`` once a re-match has matched every item against
    ``applied`` (``lists_to_apply``), at ``when``."""
    every = [dict(h) for h in recorded(details, "hash_sets")]
    partial = [dict(h) for h in recorded(details, "hash_sets_partial") if not _among(h, applied)]
    return {"hash_sets": [*every, *({**h, "applied": when, "how": "rematch"} for h in applied)],
            "hash_sets_partial": partial}


def recorded(details: Mapping[str, object], name: str) -> list[Mapping[str, object]]:
    """The records an exhibit's details keep under ``name`` (a list of them; anything else left out)."""
    found = details.get(name)
    return [h for h in found if isinstance(h, Mapping)] if isinstance(found, list) else []
