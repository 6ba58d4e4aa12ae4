"""The writer: safe paths, atomic writes, compare-before-replace, byte-preserving entries."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netzmd import writer
from netzmd.vault import parse_note
from netzmd.writer import (
    WriteRefused,
    add_entry,
    atomic_write,
    clean_text,
    create,
    format_entry,
    read_snapshot,
    replace_checked,
    safe_filename,
    safe_target,
    write_output,
)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".netzmd-*"))


def refusal(excinfo: pytest.ExceptionInfo[WriteRefused]) -> str:
    return excinfo.value.message("en")


# ---------------------------------------------------------------- safe_target


def test_safe_target_inside_the_vault(tmp_path: Path) -> None:
    (tmp_path / "contacts").mkdir()
    assert safe_target(tmp_path, "contacts/Anna.md") == tmp_path.resolve() / "contacts/Anna.md"
    assert safe_target(tmp_path, "new/folder/x.md") == tmp_path.resolve() / "new/folder/x.md"
    # An absolute path inside the vault is fine, too.
    absolute = tmp_path / "contacts" / "Anna.md"
    assert safe_target(tmp_path, absolute) == tmp_path.resolve() / "contacts/Anna.md"
    # `..` that stays inside is normalised, not refused.
    assert safe_target(tmp_path, "contacts/../x.md") == tmp_path.resolve() / "x.md"


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("../outside.md", "../outside.md: resolves outside the vault; nothing written"),
        ("/etc/passwd", "/etc/passwd: resolves outside the vault; nothing written"),
        ("a/../../x.md", "a/../../x.md: resolves outside the vault; nothing written"),
        (".obsidian/app.json",
         ".obsidian/app.json: lies in the ignored folder .obsidian; nothing written"),
        (".git/config", ".git/config: lies in the ignored folder .git; nothing written"),
        ("notes/.trash/x.md",
         "notes/.trash/x.md: lies in the ignored folder .trash; nothing written"),
        (".", ".: not a regular file; nothing written"),
    ],
)
def test_safe_target_refuses(tmp_path: Path, rel: str, message: str) -> None:
    with pytest.raises(WriteRefused) as excinfo:
        safe_target(tmp_path, rel)
    assert refusal(excinfo) == message


def test_safe_target_refuses_symbolic_links(tmp_path: Path) -> None:
    vault, elsewhere = tmp_path / "vault", tmp_path / "elsewhere"
    (vault / "contacts").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text("outside\n")
    (vault / "contacts" / "Link.md").symlink_to(elsewhere / "x.md")
    (vault / "linked").symlink_to(elsewhere)
    (vault / "contacts" / "Real.md").write_text("inside\n")
    (vault / "contacts" / "Inner.md").symlink_to(vault / "contacts" / "Real.md")

    for rel, link in [("contacts/Link.md", "contacts/Link.md"), ("linked/x.md", "linked"),
                      ("linked/new.md", "linked"), ("contacts/Inner.md", "contacts/Inner.md")]:
        with pytest.raises(WriteRefused) as excinfo:
            safe_target(vault, rel)
        assert refusal(excinfo) == f"{rel}: {link} is a symbolic link; nothing written"
    assert (elsewhere / "x.md").read_text() == "outside\n"


def test_a_vault_reached_through_a_link_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert safe_target(tmp_path / "alias", "x.md") == (tmp_path / "real" / "x.md").resolve()
    assert safe_target(tmp_path / "alias", tmp_path / "alias" / "x.md") == (
        tmp_path / "real" / "x.md"
    ).resolve()


# ---------------------------------------------------------------- file names and text


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Dr. Jürgen Müller", "Dr. Jürgen Müller"),
        ("Prof. Dr. Özlem Yıldız", "Prof. Dr. Özlem Yıldız"),
        ("Sabine Groß", "Sabine Groß"),
        ('A/B: "C" <d> | e? * f\\g', "AB C d e fg"),
        ("Tab\tand\nnewline\x00", "Tab and newline"),
        (".hidden", "hidden"),
        ("  Anna Keller.  ", "Anna Keller"),
        ("Mu\u0308ller", "Müller"),  # decomposed umlaut, as macOS may hand it over
    ],
)
def test_safe_filename(name: str, stem: str) -> None:
    assert safe_filename(name) == stem


def test_safe_filename_caps_the_length_without_splitting_a_character() -> None:
    stem = safe_filename("ü" * 300)
    assert stem == "ü" * 100
    assert len(stem.encode("utf-8")) == 200


def test_safe_filename_refuses_nothing_left() -> None:
    with pytest.raises(WriteRefused) as excinfo:
        safe_filename('/??"')
    assert refusal(excinfo) == "'/??\"' leaves no usable file name"


@given(st.text())
def test_safe_filename_never_yields_unsafe_names(name: str) -> None:
    try:
        stem = safe_filename(name)
    except WriteRefused:
        return
    assert stem and not set(stem) & set('/\\:*?"<>|')
    assert not stem.startswith(".") and stem == stem.strip()
    assert all(ord(ch) >= 32 and not 0x7F <= ord(ch) <= 0x9F for ch in stem)
    assert len(stem.encode("utf-8", "surrogatepass")) <= 200


def test_clean_text_folds_to_one_line() -> None:
    assert clean_text(" a\r\nb\u2028c\x85d\te  ") == "a b c d e"
    with pytest.raises(WriteRefused):
        clean_text("bad \udcff byte")


# ---------------------------------------------------------------- atomic writes


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("old\n")
    path.chmod(0o600)
    atomic_write(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)
    atomic_write(path, b"newer\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "a.md", b"x")
        created = create(tmp_path, "b.md", "y")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.md").stat().st_mode) == 0o640
    assert stat.S_IMODE(created.stat().st_mode) == 0o640


def test_replace_failing_at_the_worst_moment_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"precious\r\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(WriteRefused) as excinfo:
        atomic_write(path, b"new")
    assert refusal(excinfo) == "note.md: No space left on device; nothing written"
    assert path.read_bytes() == b"precious\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.md"]


def test_interrupt_during_the_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"precious")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.md"]


# ---------------------------------------------------------------- create and write_output


def test_create_makes_folders_and_never_overwrites(tmp_path: Path) -> None:
    path = create(tmp_path, "contacts/Neu/Anna.md", "hello\n")
    assert path.read_bytes() == b"hello\n"
    with pytest.raises(WriteRefused) as excinfo:
        create(tmp_path, "contacts/Neu/Anna.md", "other\n")
    assert refusal(excinfo) == "contacts/Neu/Anna.md already exists; nothing overwritten"
    assert path.read_bytes() == b"hello\n"
    assert leftovers(tmp_path) == []


def test_create_loses_a_race_without_overwriting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone creates the file between the existence check and the write.
    real_link = os.link

    def racing_link(src: str, dst: str) -> None:
        Path(dst).write_text("theirs\n")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(WriteRefused) as excinfo:
        create(tmp_path, "Anna.md", "ours\n")
    assert refusal(excinfo) == "Anna.md already exists; nothing overwritten"
    assert (tmp_path / "Anna.md").read_text() == "theirs\n"
    assert leftovers(tmp_path) == []


def test_create_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: str, dst: str) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    create(tmp_path, "Anna.md", "ours\n")
    assert (tmp_path / "Anna.md").read_text() == "ours\n"
    with pytest.raises(WriteRefused):
        create(tmp_path, "Anna.md", "again\n")
    assert leftovers(tmp_path) == []


def test_write_output_creates_replaces_and_skips_identical(tmp_path: Path) -> None:
    assert write_output(tmp_path, "digest/2026-W48.md", "one\n") is True
    path = tmp_path / "digest" / "2026-W48.md"
    path.chmod(0o600)
    before = path.stat().st_mtime_ns, path.stat().st_ino
    assert write_output(tmp_path, "digest/2026-W48.md", "one\n") is False
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert write_output(tmp_path, "digest/2026-W48.md", "two\n") is True
    assert path.read_text() == "two\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(WriteRefused):
        write_output(tmp_path, "../digest.md", "x")
    assert leftovers(tmp_path) == []


def test_write_output_refuses_a_symlinked_output(tmp_path: Path) -> None:
    (tmp_path / "digest").mkdir()
    (tmp_path / "target.md").write_text("kept\n")
    (tmp_path / "digest" / "2026-W48.md").symlink_to(tmp_path / "target.md")
    with pytest.raises(WriteRefused) as excinfo:
        write_output(tmp_path, "digest/2026-W48.md", "new\n")
    assert refusal(excinfo) == (
        "digest/2026-W48.md: digest/2026-W48.md is a symbolic link; nothing written"
    )
    assert (tmp_path / "target.md").read_text() == "kept\n"


# ---------------------------------------------------------------- compare-before-replace


def test_replace_checked_writes_when_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"old\n")
    snapshot = read_snapshot(path)
    assert snapshot.data == b"old\n" and snapshot.size == 4
    assert replace_checked(path, snapshot, b"new\n") is True
    assert path.read_bytes() == b"new\n"


def test_replace_checked_skips_identical_content(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"same\n")
    before = path.stat().st_ino
    assert replace_checked(path, read_snapshot(path), b"same\n") is False
    assert path.stat().st_ino == before


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda p: p.write_bytes(b"edited in the editor\n"), id="size"),
        pytest.param(lambda p: p.write_bytes(b"OLD\n"), id="content"),
        pytest.param(lambda p: os.utime(p, ns=(1, 1)), id="mtime"),
        pytest.param(lambda p: p.unlink(), id="deleted"),
    ],
)
def test_replace_checked_refuses_a_file_changed_since_it_was_read(tmp_path: Path, edit: object
                                                                  ) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"old\n")
    snapshot = read_snapshot(path)
    edit(path)  # type: ignore[operator]
    after = path.read_bytes() if path.exists() else None
    with pytest.raises(WriteRefused) as excinfo:
        replace_checked(path, snapshot, b"ours\n")
    assert refusal(excinfo) == "note.md changed since it was read; nothing written"
    assert (path.read_bytes() if path.exists() else None) == after
    assert leftovers(tmp_path) == []


def test_same_size_same_mtime_but_new_content_is_still_noticed(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"abc\n")
    snapshot = read_snapshot(path)
    path.write_bytes(b"xyz\n")
    os.utime(path, ns=(snapshot.mtime_ns, snapshot.mtime_ns))
    with pytest.raises(WriteRefused):
        replace_checked(path, snapshot, b"ours\n")
    assert path.read_bytes() == b"xyz\n"


def test_read_snapshot_refuses_a_symbolic_link(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("x")
    (tmp_path / "link.md").symlink_to(tmp_path / "real.md")
    with pytest.raises(WriteRefused) as excinfo:
        read_snapshot(tmp_path / "link.md")
    assert refusal(excinfo) == "link.md: link.md is a symbolic link; nothing written"


# ---------------------------------------------------------------- entry lines

DAY = dt.date(2026, 11, 27)


def test_format_entry() -> None:
    assert format_entry(DAY, "gave", "Paper\r\nzur Leitlinie", ["persönlich", "#fachlich"]) == (
        "- 2026-11-27 gave: Paper zur Leitlinie #persönlich #fachlich"
    )
    # A trailing colon typed out of habit is fine; tags already in the text are not repeated.
    assert format_entry(DAY, "call:", "Rückruf #Fachlich", ["fachlich"]) == (
        "- 2026-11-27 call: Rückruf #Fachlich"
    )
    # An arrow is no comment.
    assert format_entry(DAY, "gave", "Paper --> Leitliniengruppe") == (
        "- 2026-11-27 gave: Paper --> Leitliniengruppe"
    )


@pytest.mark.parametrize(
    ("kind", "text", "tags", "message"),
    [
        ("two words", "x", [], "KIND must be one word that starts with a letter (letters, "
         "digits, - and _), not 'two words'"),
        ("1st", "x", [], "KIND must be one word that starts with a letter (letters, digits, "
         "- and _), not '1st'"),
        ("gave", " \n ", [], "TEXT is empty"),
        ("gave", "a <!-- b", [], "TEXT must not contain '<!--': a comment would hide the "
         "lines after it"),
        ("gave", "x", ["a b"], "not a tag: 'a b' (letters, digits, -, _ and /; not only "
         "digits)"),
        ("gave", "x", ["2026"], "not a tag: '2026' (letters, digits, -, _ and /; not only "
         "digits)"),
    ],
)
def test_format_entry_refuses(kind: str, text: str, tags: list[str], message: str) -> None:
    with pytest.raises(WriteRefused) as excinfo:
        format_entry(DAY, kind, text, tags)
    assert refusal(excinfo) == message


ENTRY = "- 2026-11-27 gave: Paper"


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        # After the last entry, with its line ending; everything else as it was.
        ("---\nname: A\n---\n## Log\n- 2026-01-01 met: x\n\n## Notes\ntext\n",
         "---\nname: A\n---\n## Log\n- 2026-01-01 met: x\n- 2026-11-27 gave: Paper\n\n"
         "## Notes\ntext\n", 6),
        # CRLF stays CRLF, a missing final newline stays missing.
        ("a\r\n- 2026-01-01 met: x",
         "a\r\n- 2026-01-01 met: x\r\n- 2026-11-27 gave: Paper", 3),
        # The bullet and indentation of the last entry; its sub-items stay its own.
        ("* 2026-01-01 met: x\n    * detail\n    * more\nafter\n",
         "* 2026-01-01 met: x\n    * detail\n    * more\n* 2026-11-27 gave: Paper\nafter\n", 4),
        ("- Treffen\n  + 2026-01-01 met: x\n",
         "- Treffen\n  + 2026-01-01 met: x\n  + 2026-11-27 gave: Paper\n", 3),
        # An open task counts as the last item too.
        ("- 2026-01-01 met: x\n- [ ] 2026-12-01 Anruf\n",
         "- 2026-01-01 met: x\n- [ ] 2026-12-01 Anruf\n- 2026-11-27 gave: Paper\n", 3),
        # No entry: into the existing Log section (what `netzmd new` writes) ...
        ("---\nname: A\n---\n\n## Log\n\n", "---\nname: A\n---\n\n## Log\n\n"
         "- 2026-11-27 gave: Paper\n", 7),
        ("# A\n## log\nSchon lange bekannt.\n\n## Notes\n",
         "# A\n## log\nSchon lange bekannt.\n- 2026-11-27 gave: Paper\n\n## Notes\n", 4),
        # ... else under a new heading at the end.
        ("---\nname: A\n---\nText", "---\nname: A\n---\nText\n\n## Log\n\n"
         "- 2026-11-27 gave: Paper", 8),
        ("", "## Log\n\n- 2026-11-27 gave: Paper\n", 3),
        ("\ufeffText\r\n\r\n", "\ufeffText\r\n\r\n## Log\r\n\r\n- 2026-11-27 gave: Paper\r\n",
         5),
        # Entries in code blocks and comments are not entries; a heading in code is no heading.
        ("```\n## Log\n- 2026-01-01 met: x\n```\n",
         "```\n## Log\n- 2026-01-01 met: x\n```\n\n## Log\n\n- 2026-11-27 gave: Paper\n", 8),
        # After the sub-lines would be inside code: the next place is taken.
        ("- 2026-01-01 met: x\n  ```\n  code\n```\n",
         "- 2026-01-01 met: x\n- 2026-11-27 gave: Paper\n  ```\n  code\n```\n", 2),
    ],
)
def test_add_entry(before: str, after: str, line: int) -> None:
    inserted = add_entry(before.encode("utf-8"), ENTRY, "a.md")
    assert inserted.data.decode("utf-8") == after
    assert inserted.line == line


def test_add_entry_refuses_a_file_ending_inside_code() -> None:
    with pytest.raises(WriteRefused) as excinfo:
        add_entry(b"Text\n```\nopen code", ENTRY, "a.md")
    assert refusal(excinfo) == (
        "a.md: no safe place for a new entry (the file ends inside an open code block or "
        "comment); nothing written"
    )
    with pytest.raises(WriteRefused) as excinfo:
        add_entry(b"\xff\xfe", ENTRY, "a.md")
    assert refusal(excinfo) == "a.md is not valid UTF-8; nothing written"


def inserted_block(before: bytes, after: bytes) -> tuple[int, bytes]:
    """Where and what was inserted, if `after` is `before` with one contiguous block added."""
    prefix = 0
    while prefix < len(before) and before[prefix] == after[prefix]:
        prefix += 1
    block = after[prefix : len(after) - (len(before) - prefix)]
    assert after == before[:prefix] + block + before[prefix:]
    return prefix, block


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_add_entry_on_any_text_only_adds_or_refuses(text: str) -> None:
    data = text.encode("utf-8")
    try:
        inserted = add_entry(data, ENTRY, "a.md")
    except WriteRefused:
        return
    _, block = inserted_block(data, inserted.data)
    assert b"- 2026-11-27 gave: Paper" in block
    before = parse_note("a.md", data)
    after = parse_note("a.md", inserted.data)
    assert len(after.body.entries) == len(before.body.entries) + 1
    new = [e for e in after.body.entries if e.line == inserted.line]
    assert [(e.date, e.kind, e.text) for e in new] == [(DAY, "gave", "Paper")]


def test_writer_exports_what_others_use() -> None:
    for name in ("WriteRefused", "safe_target", "atomic_write", "create", "write_output",
                 "Snapshot", "read_snapshot", "replace_checked", "safe_filename"):
        assert hasattr(writer, name)


def test_log_heading_after_code_block_in_file_with_bom() -> None:
    """Found by hypothesis: the BOM hid the opening fence from the placement probe."""
    from netzmd.writer import add_entry

    original = b"\xef\xbb\xbf```\n- 2025-05-01 met: in code, not an entry\n```\n;\n;\n## Log"
    inserted = add_entry(original, "- 2026-06-15 austausch: ;")
    assert inserted.data == original + b"\n- 2026-06-15 austausch: ;"
