"""The only module that writes into a vault: atomic, byte-preserving, never through links.

Every write goes to a temp file in the target's folder, is flushed and fsynced, and
then renamed over the target (`os.replace`), so a reader or a crash sees the old file
or the new one, never half of it. Paths are checked first (`safe_target`): nothing is
written outside the vault, through a symbolic link, or into `.obsidian/` and friends.
Replacing a file is compare-before-replace (`read_snapshot`, `replace_checked`): if
the user's editor saved the file meanwhile, nothing is written.

Everything that goes wrong becomes `WriteRefused` (the CLI exits 2 with its message).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Insertion",
    "Snapshot",
    "WriteRefused",
    "add_entry",
    "atomic_write",
    "clean_text",
    "create",
    "format_entry",
    "read_snapshot",
    "replace_checked",
    "safe_filename",
    "safe_target",
    "write_output",
]

TEMP_PREFIX = ".netzmd-"

# A file name may hold anything but these (Windows, macOS and Linux agree on them).
_UNSAFE_IN_NAME = frozenset('/\\:*?"<>|')
# Longest file name stem in UTF-8 bytes: 255 is the usual limit, and sync tools append
# suffixes such as `.sync-conflict-20261101-101010-ABCDEFG` to names they copy.
_MAX_STEM_BYTES = 200
# Characters that would break a one-line value: C0/C1 controls, NEL, line and paragraph
# separators; U+FFFE/U+FFFF are not allowed in YAML at all.
_LINE_BREAKING = frozenset("\u2028\u2029\ufffe\uffff")
_KIND = re.compile(r"[^\W\d_][\w-]*")
_TAG = re.compile(r"[\w/-]+")
_LOG_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+log[ \t]*#*[ \t]*", re.IGNORECASE)
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_ITEM = re.compile(r"([ \t]*)([-*+])[ \t]")


class WriteRefused(Exception):
    """Why nothing was written; `key` and `values` name a message in the `writes` catalogue."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values = values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The reason in the user's language."""
        from netzmd.locale import t

        return t("writes", key=self.key, lang=lang, **self.values)


# ---------------------------------------------------------------- paths


def safe_target(root: Path, rel: str | Path) -> Path:
    """The absolute path of `rel` inside the vault, or WriteRefused.

    Refused: a path that leaves the vault (`..`, an absolute path elsewhere), one whose
    file or any existing folder below the root is a symbolic link, one under a folder
    netzmd never touches (a component starting with `.`: `.obsidian/`, `.git/`,
    `.trash/`), and the vault root itself.
    """
    base = Path(os.path.realpath(root))
    shown = Path(rel).as_posix()
    # Lexical normalisation is enough: every existing component is checked below, and
    # a symbolic link anywhere on the way is refused rather than followed.
    parts: tuple[str, ...] | None = None
    for start in (base, Path(os.path.abspath(root))):
        try:
            parts = Path(os.path.normpath(start / rel)).relative_to(start).parts
            break
        except ValueError:
            continue
    if parts is None:
        raise WriteRefused("outside", path=shown)
    candidate = base.joinpath(*parts)
    if not parts:
        raise WriteRefused("not-a-file", path=shown)
    for part in parts:
        if part.startswith("."):
            raise WriteRefused("ignored", path=shown, folder=part)
    current = base
    for part in parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            break
        except OSError as err:
            raise WriteRefused("io", path=shown, error=_reason(err)) from None
        if stat.S_ISLNK(info.st_mode):
            link = current.relative_to(base).as_posix()
            raise WriteRefused("symlink", path=shown, link=link)
    return candidate


def safe_filename(name: str) -> str:
    """A file name stem for NAME: umlauts and spaces kept, unsafe characters dropped.

    Drops `/ \\ : * ? " < > |` and control characters, squeezes the spaces that leaves,
    strips leading and trailing dots and spaces (a leading dot would hide the file from
    netzmd and Obsidian; Windows drops trailing ones) and caps the length. The caller
    adds `.md`. WriteRefused when nothing usable is left.
    """
    kept = "".join(
        " " if ch in _LINE_BREAKING or unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in unicodedata.normalize("NFC", name)
        if ch not in _UNSAFE_IN_NAME
    )
    stem = " ".join(kept.split()).strip(". ")
    encoded = stem.encode("utf-8")
    if len(encoded) > _MAX_STEM_BYTES:
        stem = encoded[:_MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip(". ")
    if not stem:
        raise WriteRefused("no-filename", name=name)
    return stem


def clean_text(text: str) -> str:
    """One line of text: line breaks and control characters become spaces, runs squeezed.

    WriteRefused for lone surrogates (undecodable bytes on the command line), which no
    file can store as UTF-8.
    """
    pieces: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise WriteRefused("bad-text")
        pieces.append(" " if category == "Cc" or ch in _LINE_BREAKING else ch)
    return " ".join("".join(pieces).split())


# ---------------------------------------------------------------- atomic writes


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        # Linux reports it; setting and resetting it instead would briefly change the
        # mode of files other threads create (watch mode writes from a thread).
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _default_mode() -> int:
    """What any editor would give a new note; mkstemp alone would make it 0600."""
    return 0o666 & ~_umask()


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not every platform lets a folder be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes, mode: int) -> str:
    """Write data to a fsynced temp file beside path; returns its name."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
    except BaseException:
        _remove(temp)
        raise
    return temp


def _remove(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)


def _replace(path: Path, data: bytes, mode: int | None, snapshot: Snapshot | None,
             shown: str) -> None:
    """The write itself; with a snapshot, the file is compared as late as possible."""
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = _default_mode()
    temp = _write_temp(path, data, mode)
    try:
        if snapshot is not None:
            _check_unchanged(path, snapshot, shown)
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise
    _fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace (or create) path with data atomically, keeping an existing file's permissions.

    `mode` sets the permissions explicitly; otherwise an existing file keeps its own and a
    new one gets the usual `0666 & ~umask`. The temp file is gone on every failure.
    """
    try:
        _replace(Path(path), data, mode, None, Path(path).name)
    except OSError as err:
        raise WriteRefused("io", path=Path(path).name, error=_reason(err)) from None


def _create_file(path: Path, data: bytes, shown: str) -> None:
    """Write a new file atomically; never replaces one that appears meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(path, data, _default_mode())
    try:
        try:
            # A hard link fails if the name exists: creation without a window in which
            # a file created by someone else could be overwritten.
            os.link(temp, path)
        except FileExistsError:
            raise WriteRefused("exists", path=shown) from None
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK, errno.ENOSYS):
                raise
            # File systems without hard links (FAT, some network drives): check, then rename.
            if os.path.lexists(path):
                raise WriteRefused("exists", path=shown) from None
            os.replace(temp, path)
    finally:
        _remove(temp)
    _fsync_dir(path.parent)


def create(root: Path, rel: str, text: str) -> Path:
    """Create a new file in the vault (folders as needed); WriteRefused if it exists."""
    target = safe_target(root, rel)
    shown = Path(rel).as_posix()
    if os.path.lexists(target):
        raise WriteRefused("exists", path=shown)
    try:
        _create_file(target, text.encode("utf-8"), shown)
    except OSError as err:
        raise WriteRefused("io", path=shown, error=_reason(err)) from None
    return target


def write_output(root: Path, rel: str, text: str) -> bool:
    """Create or replace a generated file; False (and no write) when it is byte-identical."""
    target = safe_target(root, rel)
    shown = Path(rel).as_posix()
    data = text.encode("utf-8")
    if not os.path.lexists(target):
        try:
            _create_file(target, data, shown)
        except OSError as err:
            raise WriteRefused("io", path=shown, error=_reason(err)) from None
        return True
    snapshot = read_snapshot(target, shown)
    return replace_checked(target, snapshot, data, shown)


# ---------------------------------------------------------------- compare-before-replace


@dataclass(frozen=True)
class Snapshot:
    """A file as it was read: what compare-before-replace compares against."""

    size: int
    mtime_ns: int
    data: bytes


def read_snapshot(path: Path, shown: str | None = None) -> Snapshot:
    """Read a regular file (never through a symbolic link) with its size and mtime.

    `shown` is how messages name the file (default: its name).
    """
    shown = shown or Path(path).name
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise WriteRefused("symlink", path=shown, link=shown) from None
        raise WriteRefused("io", path=shown, error=_reason(err)) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise WriteRefused("not-a-file", path=shown)
        # Size and mtime from before the read: a change during the read shows up later.
        data = handle.read()
    return Snapshot(info.st_size, info.st_mtime_ns, data)


def _check_unchanged(path: Path, snapshot: Snapshot, shown: str) -> None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise WriteRefused("changed", path=shown) from None
    if (
        not stat.S_ISREG(info.st_mode)
        or info.st_size != snapshot.size
        or info.st_mtime_ns != snapshot.mtime_ns
    ):
        raise WriteRefused("changed", path=shown)
    # Same size within one mtime tick is possible: the content has the last word.
    with open(path, "rb") as handle:
        if handle.read() != snapshot.data:
            raise WriteRefused("changed", path=shown)


def replace_checked(path: Path, snapshot: Snapshot, data: bytes, shown: str | None = None
                    ) -> bool:
    """Replace path with data unless it changed since `snapshot`; False when data is the same.

    The file is compared right before the rename, after the new content is safely on
    disk, so the window for a lost edit is as small as the file system allows. `shown`
    is how messages name the file (default: its name).
    """
    if data == snapshot.data:
        return False
    shown = shown or Path(path).name
    try:
        _replace(Path(path), data, None, snapshot, shown)
    except OSError as err:
        raise WriteRefused("io", path=shown, error=_reason(err)) from None
    return True


# ---------------------------------------------------------------- log entries


def format_entry(date: dt.date, kind: str, text: str, tags: Iterable[str] = ()) -> str:
    """The entry line `- DATE KIND: TEXT #tag ...`; WriteRefused for a bad kind, tag or text.

    Text is folded to one line; tags already in the text are not repeated.
    """
    from netzmd.log import find_tags, fold

    kind = kind.strip()
    if kind.endswith(":"):
        kind = kind[:-1]
    if not _KIND.fullmatch(kind):
        raise WriteRefused("bad-kind", kind=kind)
    text = clean_text(text)
    if not text:
        raise WriteRefused("empty-text")
    if "<!--" in text:
        # An open comment would hide every line after the entry from netzmd; a lone
        # `-->` (an arrow) closes nothing and is fine.
        raise WriteRefused("comment-text")
    present = set(find_tags(text))
    extra: list[str] = []
    for tag in tags:
        tag = clean_text(tag).lstrip("#")
        if not _TAG.fullmatch(tag) or tag.isdigit():
            raise WriteRefused("bad-tag", tag=tag)
        if fold(tag) not in present:
            present.add(fold(tag))
            extra.append("#" + tag)
    return " ".join([f"- {date.isoformat()} {kind}: {text}", *extra])


@dataclass(frozen=True)
class Insertion:
    """The file after `add_entry`: its bytes, and the 1-based line of the new entry."""

    data: bytes
    line: int
    entry: str


def _line_ending(lines: list[str], index: int | None) -> str:
    """The ending of the line at index, else the file's first ending, else LF."""
    if index is not None and lines[index].endswith("\n"):
        return "\r\n" if lines[index].endswith("\r\n") else "\n"
    for line in lines:
        if line.endswith("\n"):
            return "\r\n" if line.endswith("\r\n") else "\n"
    return "\n"


def _insert_after(lines: list[str], index: int, new: list[str]) -> list[str]:
    """lines with `new` after lines[index] (-1: at the top), endings matched to the file."""
    ending = _line_ending(lines, index if index >= 0 else None)
    result = list(lines)
    if index >= 0 and not result[index].endswith("\n"):
        # The file has no final newline: the new lines go after a separator and the
        # file still ends without one.
        result[index] += ending
        block = [line + ending for line in new]
        block[-1] = block[-1][: -len(ending)]
    else:
        block = [line + ending for line in new]
    result[index + 1 : index + 1] = block
    return result


def _indent_width(text: str) -> int:
    expanded = text.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


def _outside_code(lines: list[str], index: int) -> bool:
    """Whether a line is outside fenced code and comments, as the log grammar sees it.

    A heading line changes neither state, so a probe entry in its place is read as an
    entry exactly when the line itself is outside code and comments.
    """
    from netzmd.log import parse_body

    probe = list(lines)
    probe[index] = "- 2000-01-01 probe"
    entries = parse_body(probe[: index + 1]).entries
    return bool(entries) and entries[-1].line == index + 1


def _candidates(lines: list[str], body: Any, entry: str) -> list[tuple[int, list[str], int]]:
    """Where the entry may go, best first: (insert after index, new lines, entry offset)."""
    from netzmd.log import Entry, OpenTask

    stripped = [line.rstrip("\r\n") for line in lines]
    if stripped and stripped[0].startswith("\ufeff"):
        # The reader drops the BOM before it looks for code fences; so must the probe.
        stripped[0] = stripped[0][1:]
    items: list[Entry | OpenTask] = [*body.entries, *body.tasks]
    found: list[tuple[int, list[str], int]] = []
    if items:
        last = max(item.line for item in items) - 1
        match = _ITEM.match(stripped[last])
        indent, bullet = (match.group(1), match.group(2)) if match else ("", "-")
        line = indent + bullet + entry[1:]
        # After the entry's own sub-items and continuation lines, so they stay its own.
        end = last
        width = _indent_width(stripped[last])
        while (end + 1 < len(stripped) and stripped[end + 1].strip()
               and _indent_width(stripped[end + 1]) > width):
            end += 1
        found.append((end, [line], 0))
        if end != last:
            found.append((last, [line], 0))
        return found
    headings = [i for i, text in enumerate(stripped)
                if _LOG_HEADING.fullmatch(text) and _outside_code(stripped, i)]
    for heading in headings:
        # Into the existing (empty) log section: after its last non-blank line.
        end = heading
        for i in range(heading + 1, len(stripped)):
            if _HEADING.match(stripped[i]):
                break
            if stripped[i].strip():
                end = i
        if end == heading and heading + 1 < len(stripped) and not stripped[heading + 1].strip():
            end = heading + 1
        found.append((end, [entry], 0))
    last_index = len(stripped) - 1
    block = ["## Log", "", entry]
    if last_index >= 0 and stripped[last_index].strip():
        block.insert(0, "")
    found.append((last_index, block, len(block) - 1))
    return found


def _yaml_problems(note: Any) -> list[Any]:
    return [f.data for f in note.findings if f.rule == "yaml-error"]


def add_entry(data: bytes, entry: str, shown: str = "") -> Insertion:
    """Insert one entry line into a note's bytes; every other byte stays as it was.

    The line goes after the last entry or open task of the body, with that item's
    indentation and bullet (after its indented sub-lines); without one, into an existing
    `## Log` section, else under a new `## Log` heading at the end. The result is
    re-parsed: the place chosen must yield exactly the old entries plus the new one,
    or the next place is tried; if none does (a file ending inside an open code block
    or comment), WriteRefused.
    """
    from netzmd.vault import parse_note

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WriteRefused("not-utf8", path=shown) from None
    before = parse_note(shown or "note.md", data)
    if before.skipped:
        raise WriteRefused("not-utf8", path=shown)
    # Lines as the reader counts them: split at LF only (CRLF keeps its CR in the line).
    lines = _LINE.findall(text)
    old_entries = len(before.body.entries)
    old_tasks = len(before.body.tasks)
    for index, new, offset in _candidates(lines, before.body, entry):
        result = "".join(_insert_after(lines, index, new))
        number = index + 2 + offset
        encoded = result.encode("utf-8")
        after = parse_note(shown or "note.md", encoded)
        entries = after.body.entries
        if (
            len(entries) == old_entries + 1
            and len(after.body.tasks) == old_tasks
            and any(e.line == number for e in entries)
            and len(after.body.bad_dates) == len(before.body.bad_dates)
            and _yaml_problems(after) == _yaml_problems(before)
        ):
            return Insertion(encoded, number, new[offset].strip())
    raise WriteRefused("no-place", path=shown)


# ---------------------------------------------------------------- new contacts


def yaml_scalar(value: str | dt.date | Iterable[str]) -> str:
    """A front-matter value as YAML text that reads back as exactly this value.

    Text becomes a JSON string, which is a valid YAML double-quoted scalar once it is
    one line (clean_text); dates stay plain ISO dates; lists become flow sequences.
    """
    import json

    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(clean_text(value), ensure_ascii=False)
    return "[" + ", ".join(yaml_scalar(item) for item in value) + "]"


CONTACT_FIELDS = ("name", "role", "organisation", "specialty", "circle", "cadence", "met",
                  "met_at", "email", "phone", "tags")


def contact_context(name: str, fields: dict[str, Any], today: dt.date, lang: str
                    ) -> dict[str, Any]:
    """The context of the `contact` template (documented in docs/writing.md).

    `front_matter` lists (key, YAML text) in a fixed order, for the fields given;
    `fields` holds the same values unquoted, for templates that want to arrange them.
    Text is folded to one line (clean_text) and empty fields are left out.
    """
    given: dict[str, Any] = {"name": clean_text(name)}
    for key, value in fields.items():
        if isinstance(value, str):
            value = clean_text(value)
        elif isinstance(value, list | tuple):
            value = tuple(t for t in (clean_text(item) for item in value) if t)
        # A field left empty is left out, not written as "".
        if value not in (None, "", ()):
            given[key] = value
    ordered = [key for key in CONTACT_FIELDS if key in given]
    ordered += [key for key in given if key not in CONTACT_FIELDS]
    return {
        "name": given["name"],
        "fields": {key: given[key] for key in ordered},
        "front_matter": [(key, yaml_scalar(given[key])) for key in ordered],
        "today": today,
        "lang": lang,
    }


# ---------------------------------------------------------------- new vaults


@dataclass(frozen=True)
class Scaffold:
    """What `netzmd init` writes: folders to make and files (path, text) to create."""

    folders: tuple[str, ...]
    files: tuple[tuple[str, str], ...]


# Per language: the folders (contacts, goals, output, as the config names them) and where
# each file of `templates/init/<lang>/` goes.
_SCAFFOLDS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "de": (("Kontakte", "Ziele", "Digest"), {
        "netzmd.toml": "netzmd.toml",
        "contact.md": "Kontakte/Dr. Anna Keller.md",
        "goal.md": "Ziele/Nephrologie-Netzwerk.md",
    }),
    "en": (("contacts", "goals", "digest"), {
        "netzmd.toml": "netzmd.toml",
        "contact.md": "contacts/Dr. Anna Keller.md",
        "goal.md": "goals/Nephrology network.md",
    }),
}


def scaffold(lang: str, today: dt.date) -> Scaffold:
    """The files of a new vault in LANG, with example dates around today.

    Dates are relative to today so that the example is neither overdue nor in the
    future on the day it is made: met 75 days ago with a follow-up a week later, the
    latest (personal) contact 12 days ago, a planned step in two weeks.
    """
    import string
    from importlib import resources

    folders, files = _SCAFFOLDS[lang]
    day = dt.timedelta(days=1)
    since = today - 30 * day
    values = {
        "met": (today - 75 * day).isoformat(),
        "gave": (today - 68 * day).isoformat(),
        "took": (today - 40 * day).isoformat(),
        "personal": (today - 12 * day).isoformat(),
        "task": (today + 14 * day).isoformat(),
        "since": since.isoformat(),
        "by": (since + 365 * day).isoformat(),
        "birthday": (today + 100 * day).strftime("%m-%d"),
    }
    source = resources.files("netzmd").joinpath("templates", "init", lang)
    rendered = tuple(
        (rel, string.Template(source.joinpath(name).read_text("utf-8")).substitute(values))
        for name, rel in files.items()
    )
    return Scaffold(folders, rendered)


def create_vault(root: Path, plan: Scaffold) -> tuple[list[str], list[str]]:
    """Write a new vault: (existing paths, created paths).

    Every target is checked before anything is written: if one exists, nothing is
    written and the existing ones are returned. Existing folders are fine.
    """
    targets = [(rel, safe_target(root, rel)) for rel, _ in plan.files]
    folders = [(rel, safe_target(root, rel)) for rel in plan.folders]
    existing = [rel for rel, path in targets if os.path.lexists(path)]
    existing += [rel for rel, path in folders if os.path.lexists(path) and not path.is_dir()]
    if existing:
        return existing, []
    created: list[str] = []
    for _, path in folders:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise WriteRefused("io", path=path.name, error=_reason(err)) from None
    for rel, text in plan.files:
        create(root, rel, text)
        created.append(rel)
    return [], created
