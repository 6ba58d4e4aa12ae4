"""Incremental assembly: after any change, the same vault as assembling everything anew."""

from __future__ import annotations

from pathlib import Path

import pytest

from netzmd.assembly import Assembly, NoteRecord, note_record
from netzmd.config import load_config
from netzmd.model import Vault
from netzmd.vault import load_vault, read_note, walk
from tests.conftest import make_vault

FILES: dict[str, str | bytes] = {
    "netzmd.toml": 'contacts = "Kontakte"\ngoals = "Ziele"\n[cadence]\nkey = "monthly"\n',
    "Kontakte/Anna Keller.md": (
        "---\nname: Dr. Anna Keller\naliases: [Anna]\ncircle: key\nmet: 2026-03-14\n"
        "met_at: DGIM\ngoals: ['[[Nephro]]', '[[Unbekannt]]']\n---\n"
        "- 2026-03-14 met: Kongress #fachlich\n"
        "- 2026-08-01 took: EKG-Zweitmeinung mit [[Jürgen Müller]] #nehmen\n"
        "- [ ] 2026-11-01 Anruf wegen Arbeitsgruppe [[Jürgen Müller]]\n"
    ),
    "Kontakte/Jürgen Müller.md": (
        "---\nname: Jürgen Müller\ncircle: regular\ncadence: quarterly\n---\n"
        "- 2026-06-01 gave: Buchtipp #persönlich\n"
    ),
    "Kontakte/Bert Brandt.md": "---\ncircle: kaputt\n---\n- 2026-05-05 call: Dienstplan\n",
    "Kontakte/Clara Zimmer.md": "---\nname: Clara Zimmer\n---\n",
    "Journal/2026-11-02.md": (
        "Mit [[Anna]] über Radfahren gesprochen #persönlich\n"
        "- 2026-11-02 call: [[Jürgen Müller]] wegen Dialyse #geben\n"
    ),
    "Journal/2026-11-09.md": "- [ ] 2026-12-01 [[Clara Zimmer]] Termin schicken\n",
    "Ziele/Nephro.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n---\n",
}

# Each change: path -> new text (None: delete), and whether it may stay incremental.
CHANGES: dict[str, tuple[dict[str, str | None], bool]] = {
    "a contact logs a call": (
        {"Kontakte/Anna Keller.md": FILES["Kontakte/Anna Keller.md"]  # type: ignore[operator]
         + "- 2026-11-20 call: Nachtrag [[Bert Brandt]]\n"}, True),
    "a journal note links someone else": (
        {"Journal/2026-11-02.md": "Mit [[Clara Zimmer]] Kaffee #persönlich\n"}, True),
    "a journal note is deleted": ({"Journal/2026-11-02.md": None}, True),
    "a journal note is created": (
        {"Journal/2026-11-30.md": "- 2026-11-30 mail: an [[Anna]] und [[Bert Brandt]]\n"}, True),
    "a task moves to another contact": (
        {"Journal/2026-11-09.md": "- [ ] 2026-12-01 [[Anna]] Termin schicken\n"}, True),
    "a contact's field goes bad": (
        {"Kontakte/Jürgen Müller.md": "---\nname: Jürgen Müller\ncadence: manchmal\n---\n"},
        True),
    "a contact is renamed": (
        {"Kontakte/Clara Zimmer.md": "---\nname: Clara Zimmer-Roth\naliases: [Clara Zimmer]\n"
                                     "---\n"}, False),
    "a contact is deleted": ({"Kontakte/Bert Brandt.md": None}, False),
    "a contact is created": (
        {"Kontakte/Anna Keller 2.md": "---\nname: Anna\n---\n"}, False),
    "a goal changes": (
        {"Ziele/Nephro.md": "---\ntarget: 3\nsince: 2026-01-01\nby: 2027-01-01\n---\n"},
        False),
    "a note becomes unreadable": ({"Journal/2026-11-02.md": b"\xff\xfe kaputt\n"}, True),  # type: ignore[dict-item]
}


def records(root: Path) -> dict[str, NoteRecord]:
    config = load_config(root)
    return {note.rel: note_record(read_note(note)) for note in walk(root, config, [])}


def write(root: Path, changes: dict[str, str | None]) -> None:
    for rel, text in changes.items():
        path = root / rel
        if text is None:
            path.unlink()
        elif isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", list(CHANGES))
def test_an_update_gives_the_vault_a_full_assembly_gives(tmp_path: Path, name: str) -> None:
    changes, incremental = CHANGES[name]
    root = make_vault(tmp_path, dict(FILES)).resolve()
    assembly = Assembly(root, load_config(root))
    before = assembly.build(records(root))
    assert before == load_vault(root)
    assert (len(before.contacts), len(before.goals)) == (4, 1)

    write(root, changes)
    now = records(root)
    updated = assembly.update({rel: now.get(rel) for rel in changes})

    assert updated == load_vault(root)
    assert updated.findings == load_vault(root).findings
    kept = _same_objects(before, updated)
    if incremental:
        # Only the contacts the changed notes name (before or after) are built again.
        assert kept
    else:
        assert not kept


def _same_objects(before: Vault, after: Vault) -> set[str]:
    old = {c.path: c for c in before.contacts}
    return {c.path for c in after.contacts if old.get(c.path) is c}


def test_an_edit_rebuilds_only_the_contacts_it_touches(tmp_path: Path) -> None:
    root = make_vault(tmp_path, dict(FILES)).resolve()
    assembly = Assembly(root, load_config(root))
    before = assembly.build(records(root))
    write(root, {"Journal/2026-11-02.md": "Mit [[Clara Zimmer]] Kaffee #persönlich\n"})
    after = assembly.update({"Journal/2026-11-02.md": records(root)["Journal/2026-11-02.md"]})
    # The note named Anna and Jürgen before, and names Clara now; Bert is untouched.
    assert _same_objects(before, after) == {"Kontakte/Bert Brandt.md"}
    clara = next(c for c in after.contacts if c.name == "Clara Zimmer")
    assert [(i.date.isoformat(), i.text) for i in clara.interactions] == [
        ("2026-11-02", "Mit [[Clara Zimmer]] Kaffee #persönlich")]


def test_a_series_of_updates_stays_equal_to_a_fresh_load(tmp_path: Path) -> None:
    root = make_vault(tmp_path, dict(FILES)).resolve()
    assembly = Assembly(root, load_config(root))
    assembly.build(records(root))
    for changes, _ in CHANGES.values():
        write(root, changes)
        now = records(root)
        vault = assembly.update({rel: now.get(rel) for rel in changes})
        assert vault == load_vault(root)


def test_removing_any_note_of_the_example_vault_matches_a_fresh_assembly() -> None:
    from tests.conftest import EXAMPLE_VAULT

    root = EXAMPLE_VAULT.resolve()
    config = load_config(root)
    everything = records(root)
    assembly = Assembly(root, config)
    assembly.build(everything)
    for rel, record in everything.items():
        without = {r: rec for r, rec in everything.items() if r != rel}
        assert assembly.update({rel: None}) == Assembly(root, config).build(without), rel
        assert assembly.update({rel: record}) == Assembly(root, config).build(everything), rel
