"""The parse cache is invisible: the same findings with no cache, a cold and a warm one."""

from __future__ import annotations

import marshal
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd import cache
from netzmd.assembly import NoteRecord, note_record
from netzmd.cache import ParseCache, cache_dir, cache_path, decode, encode
from netzmd.cli import cli
from netzmd.config import load_config
from netzmd.vault import NoteFile, load_vault, parse_note, read_note, walk
from tests.conftest import make_vault

TODAY = "2026-11-27"
ANNA = (
    "---\nname: Dr. Anna Keller\naliases: [Anna]\ncircle: key\nbirthday: 1980-12-01\n"
    "met: 2026-03-14\ntags: [kongress, '#fachlich']\ngoals: ['[[Nephro]]', '[[Unbekannt]]']\n"
    "extra:\n  seit: 2020-01-02\n  liste: [2021-02-03, text, 3, 1.5, true, null]\n---\n"
    "## Log\n"
    "- 2026-03-14 met: Kongress #fachlich\n"
    "- 2026-08-01 took: EKG-Zweitmeinung mit [[Jürgen Müller]] #nehmen\n"
    "- 20.08.2026 gave: Paper geschickt #geben\n"
    "- [x] 2026-09-01 Einladung zur Fallbesprechung #austausch\n"
    "- [ ] 2026-11-01 Anruf wegen Arbeitsgruppe [[Jürgen Müller]]\n"
    "- [ ] Abstract gegenlesen 📅 2026-11-05\n"
    "```\n- 2026-10-01 im Code: zählt nicht\n```\n"
)
FILES: dict[str, str | bytes] = {
    "contacts/Anna Keller.md": ANNA,
    "contacts/Jürgen Müller.md": (
        "---\nname: Jürgen Müller\ncircle: vip\ncadence: manchmal\nphone: 0301234567\n---\n"
        "- 2026-02-30 call: kein echtes Datum\n- 2026-06-01 gave: Buchtipp #persönlich\n"
    ),
    "contacts/Kaputt.md": "---\nname: [nicht geschlossen\n---\n- 2026-05-05 call: trotzdem\n",
    "contacts/Latin1.md": b"---\nname: J\xfcrgen\n---\n",
    "contacts/Archiv.md": "---\nstatus: archived\ncircle: key\n---\n- 2025-01-01 mail: alt\n",
    "Journal/2026-11-02.md": (
        "Mit [[Anna]] über Radfahren gesprochen #persönlich\n"
        "- 2026-11-02 call: [[Jürgen Müller]] wegen Dialyse #geben\n"
    ),
    "Journal/2026-12-24.md": "- 2026-12-24 mail: Grüße an [[Dr. Anna Keller]]\n",
    "goals/Nephro.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n---\n",
    "Notizen/Ohne Datum.md": "Erwähnt [[Anna]], aber ohne Datum.\n",
}


def vault(tmp_path: Path) -> Path:
    """The vault above, its files a day old: the parse cache trusts them at once."""
    root = make_vault(tmp_path / "vault", dict(FILES))
    age(root)
    return root.resolve()


def age(root: Path, seconds: int = 86_400) -> None:
    past = time.time_ns() - seconds * 1_000_000_000
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(past, past))


def check_json(root: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        cli, ["check", "--vault", str(root), "--today", TODAY, "--format", "json",
              "--fail-on", "never", *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def notes(root: Path) -> list[NoteFile]:
    return walk(root, load_config(root), [])


def record(note: NoteFile) -> NoteRecord:
    return note_record(read_note(note))


def cache_stats(root: Path) -> tuple[int, int]:
    """(served from the cache, parsed) for a fresh run over the vault."""
    store = ParseCache(root)
    store.parse(notes(root))
    return store.hits, store.parsed


def files_in(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- invisible


def test_no_cache_cold_and_warm_cache_give_the_same_check(tmp_path: Path) -> None:
    root = vault(tmp_path)
    expected = check_json(root, "--no-cache")
    assert not cache_dir().exists()
    assert check_json(root) == expected  # cold: parses, writes the cache
    assert cache_path(root).is_file()
    assert check_json(root) == expected  # warm
    assert cache_stats(root) == (len(notes(root)), 0)
    # The output is worth comparing: it holds data, loader and rule findings.
    for rule in ("bad-field", "bad-date", "yaml-error", "encoding-error", "unknown-goal",
                 "task-overdue", "future-date", "birthday"):
        assert f'"rule": "{rule}"' in expected


def test_same_size_edit_within_the_same_mtime_is_seen(tmp_path: Path) -> None:
    root = vault(tmp_path)
    before = check_json(root)
    assert check_json(root) == before
    anna = root / "contacts/Anna Keller.md"
    stat = anna.stat()
    # Same length, another birthday. The mtime is set back to the nanosecond, as a sync
    # tool or a file system with coarse timestamps would leave it.
    anna.write_bytes(anna.read_bytes().replace(b"birthday: 1980-12-01", b"birthday: 1980-12-09"))
    os.utime(anna, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (anna.stat().st_size, anna.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)

    after = check_json(root)
    assert after == check_json(root, "--no-cache")
    assert '"in_days": 4' in before and '"in_days": 12' in after


def test_a_note_read_within_two_seconds_of_its_mtime_is_read_again(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/A.md": "- 2026-01-01 call: eins\n"}).resolve()
    (fresh,) = notes(root)  # written just now: a same-size edit could keep this very stat
    assert ParseCache(root).parse([fresh])[0].entries[0][3] == "eins"
    (root / "contacts/A.md").write_text("- 2026-01-01 call: zwei\n", encoding="utf-8")

    # Even with size, mtime and ctime all as recorded, the recent note is not trusted.
    store = ParseCache(root)
    assert store.parse([fresh])[0].entries[0][3] == "zwei"
    assert (store.hits, store.parsed) == (0, 1)


def test_an_old_unchanged_stat_is_served_from_the_cache(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/A.md": "- 2026-01-01 call: eins\n"}).resolve()
    age(root)
    (old,) = notes(root)
    first = ParseCache(root).parse([old])
    store = ParseCache(root)
    assert store.parse([old]) == first
    assert (store.hits, store.parsed) == (1, 0)


@pytest.mark.parametrize("damage", [
    "truncated", "garbage", "empty", "foreign marshal", "other format", "a directory",
])
def test_a_damaged_cache_file_is_rebuilt_silently(tmp_path: Path, damage: str) -> None:
    root = vault(tmp_path)
    expected = check_json(root, "--no-cache")
    check_json(root)
    path = cache_path(root)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "foreign marshal":
        path.write_bytes(marshal.dumps({"name": "something else", "records": [1, 2, 3]}))
    elif damage == "other format":
        magic, _, stamp, vault_path, records = marshal.loads(data)
        path.write_bytes(marshal.dumps((magic, cache.FORMAT + 1, stamp, vault_path, records)))
    else:
        path.unlink()
        path.mkdir()

    assert check_json(root) == expected
    if damage != "a directory":
        assert cache_stats(root) == (len(notes(root)), 0)  # rebuilt, and good again


def test_a_damaged_record_is_parsed_again(tmp_path: Path) -> None:
    root = vault(tmp_path)
    expected = check_json(root, "--no-cache")
    check_json(root)
    path = cache_path(root)
    magic, form, stamp, vault_path, records = marshal.loads(path.read_bytes())
    size, mtime, ctime, read, _ = records["contacts/Anna Keller.md"]
    records["contacts/Anna Keller.md"] = (size, mtime, ctime, read, b"\x00not a record")
    size, mtime, ctime, read, plain = records["contacts/Jürgen Müller.md"]
    records["contacts/Jürgen Müller.md"] = (size, mtime, ctime, read, plain[:-1])
    path.write_bytes(marshal.dumps((magic, form, stamp, vault_path, records)))

    assert check_json(root) == expected
    assert cache_stats(root) == (len(notes(root)), 0)


def test_another_netzmd_version_rebuilds_the_cache(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault(tmp_path)
    check_json(root)
    monkeypatch.setattr(cache, "fingerprint", lambda: "another version")
    assert cache_stats(root) == (0, len(notes(root)))
    assert cache_stats(root) == (len(notes(root)), 0)


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    root = vault(tmp_path)
    check_json(root, "--no-cache")
    assert not cache_dir().exists()
    check_json(root)
    written = cache_path(root).read_bytes()
    (root / "contacts/Neu.md").write_text("- 2026-11-01 call: neu\n", encoding="utf-8")
    assert '"path": "contacts/Neu.md"' not in check_json(root, "--no-cache", "--select",
                                                            "overdue")
    assert cache_path(root).read_bytes() == written


def test_the_cache_never_writes_in_the_vault(tmp_path: Path) -> None:
    root = vault(tmp_path)
    before = files_in(root)
    check_json(root)
    check_json(root)
    check_json(root, "--no-cache")
    assert files_in(root) == before
    assert not cache_path(root).is_relative_to(root)


def test_notes_that_disappeared_leave_the_cache(tmp_path: Path) -> None:
    root = vault(tmp_path)
    check_json(root)
    (root / "contacts/Archiv.md").unlink()
    assert check_json(root) == check_json(root, "--no-cache")
    records = marshal.loads(cache_path(root).read_bytes())[4]
    assert "contacts/Archiv.md" not in records
    assert sorted(records) == sorted(n.rel for n in notes(root))


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault(tmp_path)
    expected = check_json(root, "--no-cache")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert check_json(root) == expected
    assert check_json(root) == expected


def test_one_cache_file_per_vault_under_xdg_cache_home(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = make_vault(tmp_path / "eins", {"contacts/A.md": "x\n"}).resolve()
    second = make_vault(tmp_path / "zwei", {"contacts/A.md": "x\n"}).resolve()
    assert cache_path(first).parent == tmp_path / "xdg" / "netzmd"
    assert cache_path(first) != cache_path(second)
    check_json(first)
    check_json(second)
    assert sorted(p.name for p in (tmp_path / "xdg" / "netzmd").iterdir()) == sorted(
        [cache_path(first).name, cache_path(second).name])


# ---------------------------------------------------------------- the store in-process


def test_one_store_keeps_unchanged_notes_between_loads(tmp_path: Path) -> None:
    root = vault(tmp_path)
    store = ParseCache(root)
    first = store.parse(notes(root))
    anna = root / "contacts/Anna Keller.md"
    anna.write_text(ANNA + "- 2026-11-20 mail: Nachtrag\n", encoding="utf-8")
    second = store.parse(notes(root))
    assert store.parsed == 1
    changed = [a is not b for a, b in zip(first, second, strict=True)]
    assert changed == [n.rel == "contacts/Anna Keller.md" for n in notes(root)]
    assert load_vault(root, cache=store) == load_vault(root)


def test_a_store_of_another_vault_is_refused(tmp_path: Path) -> None:
    root = vault(tmp_path)
    other = make_vault(tmp_path / "other", {"contacts/B.md": "x\n"}).resolve()
    with pytest.raises(ValueError, match="parse cache of"):
        load_vault(root, cache=ParseCache(other))


def test_progress_counts_only_the_notes_parsed(tmp_path: Path) -> None:
    root = vault(tmp_path)
    calls: list[tuple[int, int]] = []
    ParseCache(root).parse(notes(root), lambda done, total: calls.append((done, total)))
    count = len(notes(root))
    assert calls == [(i, count) for i in range(1, count + 1)]
    calls.clear()
    ParseCache(root).parse(notes(root), lambda done, total: calls.append((done, total)))
    assert calls == []


def test_worker_processes_parse_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault(tmp_path)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 1)
    monkeypatch.setattr(cache, "_CHUNK", 2)
    monkeypatch.setattr(cache, "_workers", lambda: 2)
    used: list[int] = []
    in_workers = cache._parse_parallel

    def counted(chosen: list[NoteFile], *args: Any) -> Iterator[Any]:
        used.append(len(chosen))
        return in_workers(chosen, *args)

    monkeypatch.setattr(cache, "_parse_parallel", counted)
    found = notes(root)
    assert ParseCache(root).parse(found) == [record(n) for n in found]
    assert used == [len(found)]
    assert cache_stats(root) == (len(found), 0)  # and what the workers sent was cached


def test_without_worker_processes_the_parse_goes_on_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = vault(tmp_path)

    def no_processes(*args: object) -> None:
        raise OSError("no semaphores in this sandbox")

    monkeypatch.setattr(cache, "PARALLEL_MIN", 1)
    monkeypatch.setattr(cache, "_workers", lambda: 2)
    monkeypatch.setattr(cache, "_parse_parallel", no_processes)
    found = notes(root)
    assert ParseCache(root).parse(found) == [record(n) for n in found]


# ---------------------------------------------------------------- records


def test_a_note_holding_what_marshal_cannot_keep_is_not_cached(tmp_path: Path) -> None:
    note = note_record(parse_note("a.md", b"---\nname: A\n---\n"))
    odd = note._replace(fields={"name": ("a", "tuple")})
    assert encode(odd) is None
    assert decode(encode(note)) == note


LINES = st.sampled_from([
    "---", "...", "name: Dr. Anna Keller", "met: 2026-03-14", "birthday: --02-29",
    "geburtstag: 29.02.", "extra: {seit: 2020-01-02, n: [1, 2.5, true, null, 2021-02-03]}",
    "tags: [kongress, fachlich]", "circle: key", "phone: 0301234567", "zeit: 12:30",
    "- 2026-03-14 met: Kongress #fachlich [[Anna]]", "- 14.03.2026 took: EKG #nehmen",
    "- [[2026-01-05]] Frühstück #persönlich", "- [x] 2026-09-01 erledigt #geben",
    "- [ ] 2026-12-01 Anruf [[Bert|B]]", "- [ ] Abstract 📅 2026-12-05", "- 2026-02-30 falsch",
    "Mit [[Anna]] und [[Bert#Log]] #austausch", "```", "~~~", "<!-- kommentar", "-->",
    "> [[Zitat]]", "name: [offen", "&anker x", "", "Fall-Nr. 1234567",
])


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=20),
       crlf=st.booleans(), bom=st.booleans())
def test_every_parse_survives_the_round_trip(lines: list[str], crlf: bool, bom: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass")
    note = note_record(parse_note("contacts/Anna.md", data))
    plain = encode(note)
    assert plain is not None
    assert decode(marshal.loads(marshal.dumps(plain))) == note
