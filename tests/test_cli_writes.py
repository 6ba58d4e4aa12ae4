"""`netzmd log`, `new` and `init`: what they write, what they refuse, and what they keep."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netzmd import writer
from netzmd.cli import cli
from netzmd.engine import run_rules
from netzmd.vault import load_vault
from tests.conftest import make_vault

TODAY = "2026-11-27"

ANNA = (
    "---\n"
    "# Obsidian keeps comments and key order; so must we.\n"
    "name: Dr. Anna Keller\n"
    "circle: key\n"
    "aliases: [Anna]\n"
    "---\n"
    "Kennengelernt auf dem Kongress.\n"
    "\n"
    "## Log\n"
    "- 2026-07-16 met: Kongress #fachlich\n"
    "- 2026-08-01 took: EKG-Zweitmeinung\n"
    "\n"
    "## Notizen\n"
    "Mag Radfahren.\n"
)
MUELLER = "---\nname: Dr. Jürgen Müller\n---\n- 2026-11-20 gave: Paper\n"
MOELLER = "---\nname: Dr. Ines Möller\n---\n"


def invoke(*args: str, root: Path | None = None, **kwargs: object) -> tuple[int, str, str]:
    # Common options before the command name, so that `--` in args ends the options.
    argv = ["--today", TODAY]
    if root is not None:
        argv += ["--vault", str(root)]
    result = CliRunner().invoke(cli, [*argv, *args], catch_exceptions=False,
                                **kwargs)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root with its content hash (and so: no file added or lost)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path, {
        "contacts/Dr. Anna Keller.md": ANNA,
        "contacts/Dr. Jürgen Müller.md": MUELLER,
        "contacts/Dr. Ines Möller.md": MOELLER,
    })


# ---------------------------------------------------------------- log


def test_log_inserts_after_the_last_entry(vault: Path) -> None:
    code, out, err = invoke("log", "anna", "gave", "Paper zur Leitlinie", "--tag", "fachlich",
                            root=vault)
    assert (code, err) == (0, "")
    entry = "- 2026-11-27 gave: Paper zur Leitlinie #fachlich"
    assert out == f"contacts/Dr. Anna Keller.md:12: {entry}\n"
    assert (vault / "contacts/Dr. Anna Keller.md").read_text("utf-8") == ANNA.replace(
        "EKG-Zweitmeinung\n", f"EKG-Zweitmeinung\n{entry}\n")
    anna = next(c for c in load_vault(vault).contacts if c.name == "Dr. Anna Keller")
    last = anna.interactions[-1]
    assert (last.date, last.kind, last.direction, last.text, last.line) == (
        dt.date(2026, 11, 27), "gave", "give", "Paper zur Leitlinie #fachlich", 12)


def test_log_text_words_date_and_tags(vault: Path) -> None:
    code, out, _ = invoke("log", "mueller", "treffen", "Frühstück\nnach der", "Tagung",
                          "--date", "20.11.2026", "--tag", "#persönlich", "--tag", "karriere",
                          root=vault)
    assert code == 0
    assert out == ("contacts/Dr. Jürgen Müller.md:5: - 2026-11-20 treffen: Frühstück nach der "
                   "Tagung #persönlich #karriere\n")
    assert (vault / "contacts/Dr. Jürgen Müller.md").read_text("utf-8") == MUELLER + (
        "- 2026-11-20 treffen: Frühstück nach der Tagung #persönlich #karriere\n")


def test_log_into_a_contact_without_entries_adds_a_log_heading(vault: Path) -> None:
    code, out, _ = invoke("log", "Möller", "call", "Rückruf", root=vault)
    assert (code, out) == (0, "contacts/Dr. Ines Möller.md:7: - 2026-11-27 call: Rückruf\n")
    assert (vault / "contacts/Dr. Ines Möller.md").read_text("utf-8") == (
        MOELLER + "\n## Log\n\n- 2026-11-27 call: Rückruf\n")


def test_log_keeps_crlf_bom_and_a_missing_final_newline(tmp_path: Path) -> None:
    original = b"\xef\xbb\xbf---\r\nname: Anna\r\n---\r\n- 2026-01-05 met: x\r\nEnde"
    root = make_vault(tmp_path, {"contacts/Anna.md": original})
    assert invoke("log", "anna", "gave", "y", root=root)[:2] == (
        0, "contacts/Anna.md:5: - 2026-11-27 gave: y\n")
    assert (root / "contacts/Anna.md").read_bytes() == (
        b"\xef\xbb\xbf---\r\nname: Anna\r\n---\r\n- 2026-01-05 met: x\r\n"
        b"- 2026-11-27 gave: y\r\nEnde")
    assert invoke("log", "anna", "took", "z", "--date", "2026-11-26", root=root)[1] == (
        "contacts/Anna.md:6: - 2026-11-26 took: z\n")
    assert (root / "contacts/Anna.md").read_bytes().endswith(
        b"- 2026-11-27 gave: y\r\n- 2026-11-26 took: z\r\nEnde")


def test_log_a_future_date_is_written_with_a_note(vault: Path) -> None:
    code, out, err = invoke("log", "anna", "call", "Termin", "--date", "2026-12-24", root=vault)
    assert code == 0
    assert out == "contacts/Dr. Anna Keller.md:12: - 2026-12-24 call: Termin\n"
    assert err == ("note: 2026-12-24 is after today (2026-11-27); the entry counts from that "
                   "day on\n")
    code, _, err = invoke("log", "anna", "call", "Termin", "--date", "24.12.2026", "--lang", "de",
                          root=vault)
    assert err == ("Hinweis: 24.12.2026 liegt nach heute (27.11.2026); der Eintrag zählt erst ab "
                   "diesem Tag\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "gave", "x"], "No contact matches 'nobody'.\n"),
        (["dr.", "gave", "x"], "'dr.' matches several contacts:\n"
         "  Dr. Anna Keller  (contacts/Dr. Anna Keller.md)\n"
         "  Dr. Ines Möller  (contacts/Dr. Ines Möller.md)\n"
         "  Dr. Jürgen Müller  (contacts/Dr. Jürgen Müller.md)\n"),
        (["anna", "gave it", "x"], "KIND must be one word that starts with a letter (letters, "
         "digits, - and _), not 'gave it'\n"),
        (["anna", "gave", "   "], "TEXT is empty\n"),
        (["anna", "gave", "x", "--date", "31.02.2026"],
         "not a date (YYYY-MM-DD or DD.MM.YYYY): '31.02.2026'\n"),
        (["anna", "gave", "x", "--date", "20261127"],
         "not a date (YYYY-MM-DD or DD.MM.YYYY): '20261127'\n"),
        (["anna", "gave", "x", "--tag", "two words"],
         "not a tag: 'two words' (letters, digits, -, _ and /; not only digits)\n"),
    ],
)
def test_log_refuses_and_writes_nothing(vault: Path, args: list[str], message: str) -> None:
    before = snapshot(vault)
    code, out, err = invoke("log", *args, root=vault)
    assert (code, out, err) == (2, "", message)
    assert snapshot(vault) == before


def test_log_keeps_permissions(vault: Path) -> None:
    path = vault / "contacts/Dr. Anna Keller.md"
    path.chmod(0o600)
    assert invoke("log", "anna", "gave", "x", root=vault)[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_log_refuses_a_symlinked_contact(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", {"people/Anna.md": "---\nname: Anna\n---\n"})
    (root / "contacts").mkdir()
    (root / "contacts" / "Anna.md").symlink_to(root / "people" / "Anna.md")
    before = snapshot(root)
    code, out, err = invoke("log", "anna", "gave", "x", root=root)
    assert (code, out, err) == (
        2, "", "contacts/Anna.md: contacts/Anna.md is a symbolic link; nothing written\n")
    assert snapshot(root) == before


def test_log_when_the_write_fails_at_the_worst_moment(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(vault)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", broken_replace)
    code, out, err = invoke("log", "anna", "gave", "x", root=vault)
    assert (code, out, err) == (
        2, "", "contacts/Dr. Anna Keller.md: Input/output error; nothing written\n")
    assert snapshot(vault) == before  # the original intact, and no temp file left


def test_log_refuses_when_the_file_changed_meanwhile(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = vault / "contacts/Dr. Anna Keller.md"
    real_add_entry = writer.add_entry

    def editor_saves_meanwhile(data: bytes, entry: str, shown: str = "") -> writer.Insertion:
        path.write_bytes(data + b"- 2026-11-26 call: saved in the editor\n")
        return real_add_entry(data, entry, shown)

    monkeypatch.setattr(writer, "add_entry", editor_saves_meanwhile)
    code, out, err = invoke("log", "anna", "gave", "x", root=vault)
    assert (code, out, err) == (
        2, "", "contacts/Dr. Anna Keller.md changed since it was read; nothing written\n")
    assert path.read_text("utf-8") == ANNA + "- 2026-11-26 call: saved in the editor\n"
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "Dr. Anna Keller.md", "Dr. Ines Möller.md", "Dr. Jürgen Müller.md"]


# ---------------------------------------------------------------- log: property


KINDS = {"gave": "give", "took": "take", "austausch": "mutual", "call": "touch"}
_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß ÄÖÜ.,;!?()'\"", min_size=1, max_size=30)
_safe_value = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"],
                           blacklist_characters="\ufffe\uffff\ufeff"),
    max_size=20,
)


@st.composite
def contact_files(draw: st.DrawFn) -> tuple[bytes, str, bool]:
    """A contact note as bytes, its line ending, and whether it has log entries."""
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = []
    if draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(["role", "organisation", "x_custom", "email",
                                              "phone", "met_at"]), unique=True))
        lines.append("---")
        if draw(st.booleans()):
            lines.append("# a comment the user keeps")
        for key in keys:
            value = draw(_safe_value)
            lines.append(f"{key}: {writer.yaml_scalar(value)}")
        if draw(st.booleans()):
            lines.append(f"met: 2025-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}")
        lines.append("---")
    has_entries = False
    for _ in range(draw(st.integers(0, 8))):
        block = draw(st.sampled_from(["prose", "entry", "task", "heading", "blank", "code",
                                      "comment", "sub"]))
        if block == "prose":
            lines.append(draw(_words).strip(" -*+#>0123456789") or "Text")
        elif block == "entry":
            kind = draw(st.sampled_from(["met", "gave", "took", "call"]))
            indent = draw(st.sampled_from(["", "  ", "\t"]))
            bullet = draw(st.sampled_from("-*+"))
            day = draw(st.integers(1, 28))
            lines.append(f"{indent}{bullet} 2025-03-{day:02d} {kind}: {draw(_words)}")
            has_entries = True
        elif block == "task":
            lines.append(f"- [ ] 2025-04-{draw(st.integers(1, 28)):02d} {draw(_words)}")
            has_entries = True
        elif block == "heading":
            lines.append(draw(st.sampled_from(["## Log", "## Notizen", "# Anna"])))
        elif block == "blank":
            lines.append("")
        elif block == "code":
            lines += ["```", "- 2025-05-01 met: in code, not an entry", "```"]
        elif block == "comment":
            lines += ["<!--", "- 2025-05-02 met: commented out", "-->"]
        else:
            lines.append("    - a sub-item of whatever is above")
    text = ending.join(lines)
    if lines and draw(st.booleans()):
        text += ending
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + text).encode("utf-8"), ending, has_entries


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact_files(), st.sampled_from(sorted(KINDS)), _words.filter(str.strip),
       st.lists(st.sampled_from(["persönlich", "fachlich", "karriere"]), unique=True))
def test_log_adds_exactly_one_interaction_and_one_line(
    file: tuple[bytes, str, bool], kind: str, text: str, tags: list[str]
) -> None:
    original, ending, has_entries = file
    with tempfile.TemporaryDirectory() as folder:
        root = make_vault(Path(folder), {"contacts/Anna Keller.md": original})
        before = load_vault(root).contacts[0].interactions
        code, out, err = invoke("log", "keller", kind, text, "--date", "2026-06-15",
                                *[f"--tag={t}" for t in tags], root=root)
        assert (code, err) == (0, "")
        result = (root / "contacts/Anna Keller.md").read_bytes()
        contact = load_vault(root).contacts[0]

    # Exactly one more interaction, with the right date, kind and direction.
    after = contact.interactions
    assert len(after) == len(before) + 1
    new = [i for i in after if i not in before]
    assert [(i.date, i.kind, i.direction) for i in new] == [
        (dt.date(2026, 6, 15), kind, KINDS[kind])]
    assert out == f"contacts/Anna Keller.md:{new[0].line}: {out.split(': ', 1)[1]}"

    # The original bytes, with one block inserted at one place.
    prefix = 0
    while prefix < len(original) and original[prefix] == result[prefix]:
        prefix += 1
    block = result[prefix : len(result) - (len(original) - prefix)]
    assert result == original[:prefix] + block + original[prefix:]
    line = out.split(": ", 1)[1].rstrip("\n").encode("utf-8")
    # The file's own line ending; a file without any line break gets LF.
    eol = b"\r\n" if b"\r\n" in original else b"\n"
    assert eol == ending.encode() or b"\n" not in original
    stripped_line = line.lstrip(b" \t")
    # A byte-order mark is no part of the first line's text: `\ufeff## Log` is a Log heading.
    text_lines = original.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").split(b"\n")
    if has_entries or b"## Log" in text_lines:
        # The file equals the original plus one line (in the file's line ending).
        assert block.strip(b"\r\n").lstrip(b" \t*+-") == stripped_line.lstrip(b"*+- ")
        assert block in (block.rstrip(b"\r\n") + eol, eol + block.lstrip(b"\r\n"))
        assert block.count(b"\n") == 1
    else:
        assert block.rstrip(b"\r\n").endswith(b"## Log" + eol + eol + line)
    assert block.count(b"\n") == block.count(eol)


# ---------------------------------------------------------------- new


def test_new_writes_a_contact_that_loads_cleanly(vault: Path) -> None:
    code, out, err = invoke(
        "new", "Prof. Dr. Özlem Yıldız", "--circle", "key", "--role", 'Chefärztin "Nephro"',
        "--organisation", "Uniklinik", "--specialty", "Nephrologie", "--met", "27.11.2026",
        "--met-at", "DGfN: Jahrestagung", "--email", "o.yildiz@example.org", "--phone",
        "0301234567", "--cadence", "6w", "--tag", "#kongress", "--tag", "lehre", root=vault)
    assert (code, out, err) == (0, "created contacts/Prof. Dr. Özlem Yıldız.md\n", "")
    assert (vault / "contacts/Prof. Dr. Özlem Yıldız.md").read_text("utf-8") == (
        "---\n"
        'name: "Prof. Dr. Özlem Yıldız"\n'
        'role: "Chefärztin \\"Nephro\\""\n'
        'organisation: "Uniklinik"\n'
        'specialty: "Nephrologie"\n'
        'circle: "key"\n'
        'cadence: "6w"\n'
        "met: 2026-11-27\n"
        'met_at: "DGfN: Jahrestagung"\n'
        'email: "o.yildiz@example.org"\n'
        'phone: "0301234567"\n'
        'tags: ["kongress", "lehre"]\n'
        "---\n"
        "\n"
        "## Log\n"
    )
    loaded = load_vault(vault)
    assert loaded.findings == ()
    contact = next(c for c in loaded.contacts if c.name == "Prof. Dr. Özlem Yıldız")
    assert (contact.role, contact.circle, contact.cadence_days, contact.met, contact.met_at,
            contact.tags, contact.fields["phone"]) == (
        'Chefärztin "Nephro"', "key", 42, dt.date(2026, 11, 27), "DGfN: Jahrestagung",
        ("kongress", "lehre"), "0301234567")
    findings = run_rules(loaded, dt.date(2026, 11, 27))
    assert [f for f in findings if f.contact == contact.name] == []
    # And `log` finds its Log section.
    assert invoke("log", "özlem", "gave", "Paper", root=vault)[1] == (
        "contacts/Prof. Dr. Özlem Yıldız.md:16: - 2026-11-27 gave: Paper\n")


def test_new_drops_unsafe_characters_but_keeps_the_name(vault: Path) -> None:
    code, out, _ = invoke("new", 'Team: Dialyse/Nord "B"', root=vault)
    assert (code, out) == (0, "created contacts/Team DialyseNord B.md\n")
    contact = next(c for c in load_vault(vault).contacts if c.path.endswith("Nord B.md"))
    assert contact.name == 'Team: Dialyse/Nord "B"'


def test_new_never_overwrites(vault: Path) -> None:
    # An unreadable file is no contact, but it is still a file that must not be replaced.
    (vault / "contacts/Sabine Groß.md").write_bytes(b"\xff\xfe not utf-8")
    before = snapshot(vault)
    assert invoke("new", "Sabine Groß", root=vault) == (
        2, "", "contacts/Sabine Groß.md already exists; nothing overwritten\n")
    assert invoke("new", "Dr. Jürgen Müller", root=vault) == (
        2, "", "'Dr. Jürgen Müller' already exists: contacts/Dr. Jürgen Müller.md\n")
    # An alias is a key too: a second "Anna" would make links ambiguous.
    assert invoke("new", "anna", root=vault) == (
        2, "", "'anna' already exists: contacts/Dr. Anna Keller.md\n")
    assert snapshot(vault) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--cadence", "sometimes"], "not a cadence: 'sometimes' (e.g. quarterly, 6w, 45d)\n"),
        (["X", "--met", "soon"], "not a date (YYYY-MM-DD or DD.MM.YYYY): 'soon'\n"),
        (["???"], "'???' leaves no usable file name\n"),
    ],
)
def test_new_refuses_bad_input(vault: Path, args: list[str], message: str) -> None:
    before = snapshot(vault)
    assert invoke("new", *args, root=vault) == (2, "", message)
    assert snapshot(vault) == before


def test_new_uses_the_vaults_template(vault: Path) -> None:
    (vault / "templates").mkdir()
    (vault / "templates/contact.md.j2").write_text(
        "---\n{% for key, value in front_matter %}{{ key }}: {{ value }}\n{% endfor %}"
        "status: active\n---\n# {{ fields.name }}\n\n## Log\n", "utf-8")
    assert invoke("new", "Katrin Vogt", "--role", "Stationsleitung", root=vault)[0] == 0
    assert (vault / "contacts/Katrin Vogt.md").read_text("utf-8") == (
        '---\nname: "Katrin Vogt"\nrole: "Stationsleitung"\nstatus: active\n---\n'
        "# Katrin Vogt\n\n## Log\n")


def test_new_refuses_what_a_broken_template_makes(vault: Path) -> None:
    (vault / "templates").mkdir()
    template = vault / "templates/contact.md.j2"
    template.write_text("---\nname: {{ name }}: oops\n---\n", "utf-8")
    before = snapshot(vault / "contacts")
    code, out, err = invoke("new", "Katrin Vogt", root=vault)
    assert (code, out) == (2, "")
    assert err.startswith("the contact template wrote invalid front matter (line 2: ")
    template.write_text("{{ nope }}\n", "utf-8")
    code, out, err = invoke("new", "Katrin Vogt", root=vault)
    assert (code, out, err) == (
        2, "", "template 'templates/contact.md.j2', line 1: 'nope' is undefined\n")
    assert snapshot(vault / "contacts") == before


@settings(max_examples=60, deadline=None)
@given(_safe_value, st.text(max_size=30))
def test_new_with_any_name_and_role_loads_them_back(name: str, role: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = make_vault(Path(folder), {})
        # `--` so that a name such as "-0" is a name, not an option.
        code, _, err = invoke("new", f"--role={role}", "--", name, root=root)
        if code == 2:
            # Only a name that leaves no file name, or undecodable text, is refused.
            assert err.endswith("leaves no usable file name\n") or "UTF-8" in err
            assert not (root / "contacts").exists()
            return
        assert code == 0
        loaded = load_vault(root)
    assert loaded.findings == ()
    (contact,) = loaded.contacts
    assert contact.name == writer.clean_text(name)
    assert contact.role == (writer.clean_text(role) or None)


# ---------------------------------------------------------------- init


INIT_FILES = {
    "de": ["Kontakte/Dr. Anna Keller.md", "Ziele/Nephrologie-Netzwerk.md", "netzmd.toml"],
    "en": ["contacts/Dr. Anna Keller.md", "goals/Nephrology network.md", "netzmd.toml"],
}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_init_makes_a_vault_that_checks_without_errors(tmp_path: Path, lang: str) -> None:
    root = tmp_path / "Netzwerk"
    code, out, err = invoke("init", str(root), "--lang", lang)
    assert (code, err) == (0, "")
    created = "angelegt" if lang == "de" else "created"
    assert out.splitlines()[:3] == [
        f"{INIT_FILES[lang][2]} angelegt" if lang == "de" else f"created {INIT_FILES[lang][2]}",
        *(f"{p} angelegt" if lang == "de" else f"created {p}" for p in INIT_FILES[lang][:2]),
    ]
    assert created in out and f"--vault {root}" in out
    assert sorted(snapshot(root)) == INIT_FILES[lang]
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == sorted(
        ["Kontakte", "Ziele", "Digest"] if lang == "de" else ["contacts", "goals", "digest"])
    config = (root / "netzmd.toml").read_text("utf-8")
    assert f'lang = "{lang}"' in config and config.count("\n# ") > 10

    loaded = load_vault(root)
    assert loaded.findings == ()
    (contact,) = loaded.contacts
    (goal,) = loaded.goals
    assert goal.valid and contact.goals == (goal.path.rsplit("/", 1)[1][:-3],)
    assert [i.direction for i in contact.interactions] == ["touch", "give", "take", "touch"]
    assert contact.interactions[-1].personal and len(contact.tasks) == 1
    # On the day it is made, the example is exemplary: no finding at all.
    code, out, _ = invoke("check", "--vault", str(root), "--lang", "en")
    assert (code, out) == (0, "1 contacts, no findings.\n")
    # A year on it is a neglected example, but still a valid one.
    result = CliRunner().invoke(cli, ["check", "--vault", str(root), "--today", "2027-11-27",
                                      "--fail-on", "error", "--lang", "en"])
    assert result.exit_code == 0 and " error " not in result.output


def test_init_in_the_current_folder_next_to_obsidian(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian/app.json").write_text("{}\n")
    (tmp_path / "Tagebuch.md").write_text("Notiz\n")
    (tmp_path / "Kontakte").mkdir()
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("init", "--lang", "de")
    assert code == 0
    assert out.splitlines()[-1] == "Neuer Vault angelegt. Weiter mit: netzmd check --vault ."
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == INIT_FILES["de"]


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    make_vault(tmp_path, {"goals/Nephrology network.md": "mine\n"})
    (tmp_path / "netzmd.toml").write_text("lang = 'en'\n")
    before = snapshot(tmp_path)
    folders = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = invoke("init", str(tmp_path), "--lang", "en")
    assert (code, out) == (2, "")
    assert err == ("netzmd.toml already exists\ngoals/Nephrology network.md already exists\n"
                   "nothing written: the new vault would overwrite existing files\n")
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == folders


def test_init_refuses_a_file_as_vault_and_a_linked_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, out, err = invoke("init", str(tmp_path / "file"))
    assert (code, out) == (2, "") and err.endswith("/file' is a file.\n")
    (tmp_path / "v").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "v" / "contacts").symlink_to(tmp_path / "elsewhere")
    assert invoke("init", str(tmp_path / "v"), "--lang", "en") == (
        2, "", "contacts/Dr. Anna Keller.md: contacts is a symbolic link; nothing written\n")
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == ["contacts"]
