"""A run matches against the lists it recorded at its start, and those only: a list imported while it runs
(between two of its batches) matches none of its items, so that its record (pipeline.runs) stays true."""

from __future__ import annotations

from footprint.model import CategoryScheme
from footprint.pipeline.importing import import_hashset
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store


def test_a_list_imported_during_a_scan_matches_none_of_its_items(tmp_path, demo_case, monkeypatch):
    url = f"sqlite:///{tmp_path / 'case.db'}"
    store = open_store(url)
    store.create_case("demo", CategoryScheme.UK)
    import_hashset(store, demo_case.known_list, "known")
    save_items = store.save_items
    batches: list[int] = []

    def save_then_import(exhibit_id, records):  # a colleague imports a list after the first batch
        save_items(exhibit_id, records)
        batches.append(len(records))
        if len(batches) == 1:
            import_hashset(store, demo_case.known_list, "late")

    monkeypatch.setattr(store, "save_items", save_then_import)
    settings = Settings(home=tmp_path / "home", database_url=url, jobs=1, batch_size=3)
    (exhibit,) = Scanner(store, settings).scan("demo", [demo_case.evidence]).exhibits
    assert len(batches) > 2
    assert [h["name"] for h in exhibit.details["hash_sets"]] == ["known"]
    assert "hash_sets_partial" not in exhibit.details
    named = {m.hashset for record in store.iter_items(store.get_case("demo").id) for m in record.matches}
    store.close()
    assert named == {"known"}
