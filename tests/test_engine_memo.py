"""RuleMemo: a second run reuses what it kept, and finds exactly what a fresh run finds.

The loader hands over the very same `Contact` object for an unchanged contact; `reuse()`
does the same here, so that each test edits files, reloads, and checks as watch mode does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from netzmd import engine, goals
from netzmd.digest import build_context
from netzmd.engine import RuleMemo, run_rules
from netzmd.findings import Finding, Level
from netzmd.model import Contact, Vault
from netzmd.rules import REGISTRY
from netzmd.vault import load_vault
from tests.conftest import make_vault

TODAY = dt.date(2026, 11, 27)
LANGS = ("en", "de")


def contact(front: str, log: str = "") -> str:
    return f"---\n{front}---\n{log}"


def contact_file(i: int) -> str:
    """Twenty contacts that between them make every contact rule fire, some several times."""
    front = [f"circle: {('key', 'regular', 'loose')[i % 3]}\n"]
    log = ["- 2025-06-01 call: alt\n"]
    if i % 2 == 0:
        front.append("specialty: Nephrologie\n")
    if i % 4 == 1:
        log += ["- 2026-03-01 took: Zweitmeinung\n", "- 2026-09-01 asked: Empfehlung\n"]
    if i % 5 == 0:
        front.append("sector: Industry\n")
        log.append("- 2026-10-01 took: Einladung zum Kongress\n")
    if i % 6 == 0:
        front.append(f"birthday: 12-0{1 + i % 5}\n")
    if i % 7 == 0:
        front.append("met: 2026-11-01\n")
    if i % 8 == 0:
        log.append("- [ ] 2026-11-02 Bericht schicken\n")
    if i % 9 == 0:
        front.append("goals: ['[[Praxisnachfolge]]']\n")
    if i % 3 == 1:
        log += ["- 2026-04-01 call: Fall #karriere\n", "- 2026-05-01 call: Stelle #karriere\n",
                "- 2026-06-01 call: Projekt\n"]
    if i == 4:
        log.append("- 2026-12-20 call: Termin\n")
    # Two contacts with the same name: the first of them owns findings that name it.
    front.append("name: Dana Doppel\n" if i in (5, 15) else f"name: Kontakt {i:02}\n")
    return contact("".join(front), "".join(log))


def vault_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {f"contacts/C{i:02}.md": contact_file(i) for i in range(20)}
    files["goals/Nephro.md"] = ("---\ntitle: Nephrologie\ntarget: 5\nsince: 2026-01-01\n"
                                "by: 2027-06-30\nmatch:\n  specialty: Nephrologie\n---\n")
    files["goals/Praxis.md"] = ("---\ntitle: Praxisnachfolge\ntarget: 4\nsince: 2026-01-01\n"
                                "by: 2026-12-31\n---\n")
    # Findings in a note that is no contact's: their owner is decided by name.
    files["Journal/2026-11-01.md"] = (
        "- [ ] 2026-11-10 Bericht an [[C01]] und [[C15]] schicken\n"
        "- 2026-12-20 call: Termin mit [[C03]]\n"
    )
    return files


def reuse(old: Vault, new: Vault) -> Vault:
    """`new`, with each unchanged contact the very object of `old`, as the loader does it."""
    previous = {c.path: c for c in old.contacts}
    contacts = tuple(previous[c.path] if previous.get(c.path) == c else c
                     for c in new.contacts)
    return dataclasses.replace(new, contacts=contacts)


def edit(root: Path, rel: str, change: Callable[[str], str]) -> None:
    path = root / rel
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def front(extra: str) -> Callable[[str], str]:
    """Add a front-matter line."""
    return lambda text: text.replace("---\n", f"---\n{extra}", 1)


def fresh(vault: Vault, today: dt.date = TODAY, **options: Any) -> list[Finding]:
    return run_rules(vault, today, **options)


# ------------------------------------------------------------------ same findings


def test_the_test_vault_makes_every_contact_rule_fire(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, vault_files()))
    fired = {f.rule for f in fresh(vault)}
    assert {r.id for r in REGISTRY.values() if r.contact_check} <= fired
    assert {"goal-behind", "duplicate-contact"} <= fired
    # A task in the journal that names the duplicate: the first "Dana Doppel" owns it.
    assert [(f.contact, f.path) for f in fresh(vault) if f.rule == "task-overdue"
            and f.path == "Journal/2026-11-01.md"] == [
        ("Dana Doppel", "Journal/2026-11-01.md"), ("Kontakt 01", "Journal/2026-11-01.md")]


EDITS: list[tuple[str, str, Callable[[str], str]]] = [
    ("nothing", "contacts/C00.md", lambda text: text),
    ("a take more", "contacts/C01.md", lambda text: text + "- 2026-11-20 took: Rat\n"),
    ("renamed", "contacts/C02.md",
     lambda text: text.replace("name: Kontakt 02", "name: Umbenannt")),
    ("archived", "contacts/C03.md", front("status: archived\n")),
    # The first "Dana Doppel" silences the journal task of the other one, unchanged.
    ("ignored by the namesake", "contacts/C05.md", front("netzmd_ignore: [task-overdue]\n")),
    ("now the namesake's own name", "contacts/C05.md",
     lambda text: text.replace("name: Dana Doppel", "name: Dana Einzel")),
    ("a journal task more", "Journal/2026-11-01.md",
     lambda text: text + "- [ ] 2026-11-11 [[C04]] anrufen\n"),
    ("a goal member reached", "contacts/C18.md", lambda text: text + "- 2026-11-02 call: x\n"),
    ("another goal match", "goals/Nephro.md",
     lambda text: text.replace("specialty: Nephrologie", "circle: key")),
    ("a task done", "contacts/C08.md", lambda text: text.replace("- [ ]", "- [x]")),
]


@pytest.mark.parametrize("lang", LANGS)
def test_each_edit_gives_the_findings_of_a_fresh_run(tmp_path: Path, lang: str) -> None:
    root = make_vault(tmp_path, vault_files())
    memo = RuleMemo()
    vault = load_vault(root)
    assert run_rules(vault, TODAY, lang=lang, memo=memo) == fresh(vault, lang=lang)
    seen = {(f.rule, f.path, f.contact) for f in fresh(vault, lang=lang)}
    for name, rel, change in EDITS:
        edit(root, rel, change)
        vault = reuse(vault, load_vault(root))
        expected = fresh(vault, lang=lang)
        assert run_rules(vault, TODAY, lang=lang, memo=memo) == expected, name
        seen |= {(f.rule, f.path, f.contact) for f in expected}
    # The edits did change what is found, so the comparisons above compared something.
    assert ("only-when-needed", "contacts/C01.md", "Kontakt 01") not in seen
    assert ("task-overdue", "Journal/2026-11-01.md", "Kontakt 04") in seen
    assert ("goal-behind", "goals/Praxis.md", None) not in {
        (f.rule, f.path, f.contact) for f in run_rules(vault, TODAY, lang=lang, memo=memo)}


@pytest.mark.parametrize("lang", LANGS)
def test_added_and_deleted_contacts(tmp_path: Path, lang: str) -> None:
    root = make_vault(tmp_path, vault_files())
    memo = RuleMemo()
    vault = load_vault(root)
    run_rules(vault, TODAY, lang=lang, memo=memo)
    (root / "contacts/C07.md").unlink()
    vault = reuse(vault, load_vault(root))
    assert run_rules(vault, TODAY, lang=lang, memo=memo) == fresh(vault, lang=lang)
    (root / "contacts/C20.md").write_text(contact("circle: key\n"), encoding="utf-8")
    (root / "contacts/C00.md").unlink()
    vault = reuse(vault, load_vault(root))
    found = run_rules(vault, TODAY, lang=lang, memo=memo)
    assert found == fresh(vault, lang=lang)
    assert "contacts/C20.md" in {f.path for f in found}
    assert not {"contacts/C00.md", "contacts/C07.md"} & {f.path for f in found}


def test_another_day_gives_that_day_s_findings(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, vault_files()))
    memo = RuleMemo()
    for day in (TODAY, TODAY + dt.timedelta(days=1), dt.date(2026, 12, 25), TODAY):
        assert run_rules(vault, day, memo=memo) == fresh(vault, day)
    # Christmas: the future entries have happened and the quarter is almost over.
    christmas = {f.rule for f in fresh(vault, dt.date(2026, 12, 25))}
    assert "future-date" not in christmas
    assert "future-date" in {f.rule for f in fresh(vault)}


def test_another_selection_gives_that_selection_s_findings(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, vault_files()))
    memo = RuleMemo()
    runs: list[dict[str, Any]] = [
        {}, {"select": ["overdue"]}, {"ignore": ["overdue", "task-overdue"]},
        {"select": ["goal-behind", "no-goals"]}, {}, {"lang": "de"}, {"lang": "en"},
    ]
    for options in runs:
        found = run_rules(vault, TODAY, memo=memo, **options)
        assert found == fresh(vault, **options), options
    assert {f.rule for f in run_rules(vault, TODAY, select=["overdue"], memo=memo)} == {
        "overdue"}


@pytest.mark.parametrize("lang", LANGS)
def test_another_config_gives_that_config_s_levels(tmp_path: Path, lang: str) -> None:
    root = make_vault(tmp_path, vault_files())
    memo = RuleMemo()
    vault = load_vault(root)
    before = run_rules(vault, TODAY, lang=lang, memo=memo)
    (root / "netzmd.toml").write_text('[rules.overdue]\nlevel = "error"\n'
                                      '[rules.one-sided]\nmin_surplus = 1\n', encoding="utf-8")
    vault = reuse(vault, load_vault(root))
    after = run_rules(vault, TODAY, lang=lang, memo=memo)
    assert after == fresh(vault, lang=lang)
    assert {f.level for f in after if f.rule == "overdue"} == {Level.ERROR}
    assert len([f for f in after if f.rule == "one-sided"]) > len(
        [f for f in before if f.rule == "one-sided"])


# ------------------------------------------------------------------ what is reused


def count_calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Contact]:
    """Record the contact each call of `module.name` is for."""
    seen: list[Contact] = []
    original = getattr(module, name)

    def counted(contact: Contact, *args: Any) -> Any:
        seen.append(contact)
        return original(contact, *args)

    monkeypatch.setattr(module, name, counted)
    return seen


def test_only_new_contact_objects_are_worked_on_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(tmp_path, vault_files())
    figured = count_calls(monkeypatch, engine, "figures")
    folded = count_calls(monkeypatch, goals, "_tokens")
    memo = RuleMemo()
    vault = load_vault(root)
    run_rules(vault, TODAY, memo=memo)
    assert len(figured) == len(folded) == 20

    figured.clear()
    folded.clear()
    vault = load_vault(root)  # every contact a new object
    run_rules(vault, TODAY, memo=memo)
    assert len(figured) == len(folded) == 20

    edit(root, "contacts/C01.md", lambda text: text + "- 2026-11-20 took: Rat\n")
    vault = reuse(vault, load_vault(root))
    figured.clear()
    folded.clear()
    found = run_rules(vault, TODAY, memo=memo)
    assert [c.path for c in figured] == [c.path for c in folded] == ["contacts/C01.md"]
    assert found == fresh(vault)

    figured.clear()
    run_rules(vault, TODAY, memo=memo)
    assert figured == []
    # Without a memo every run starts from nothing.
    run_rules(vault, TODAY)
    assert len(figured) == 20


def test_the_context_serves_the_digest(tmp_path: Path) -> None:
    root = make_vault(tmp_path, vault_files())
    memo = RuleMemo()
    vault = load_vault(root)
    run_rules(vault, TODAY, memo=memo)
    edit(root, "contacts/C01.md", lambda text: text + "- 2026-11-20 took: Rat\n")
    vault = reuse(vault, load_vault(root))
    findings = run_rules(vault, TODAY, memo=memo)
    ctx = memo.context
    assert ctx is not None and ctx.vault is vault and ctx.today == TODAY
    assert ctx.figures["contacts/C01.md"].takes == 3
    assert build_context(vault, findings, TODAY, None, "en", rule_context=ctx) == build_context(
        vault, findings, TODAY, None, "en")


def test_a_failed_run_leaves_nothing_stale_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(tmp_path, vault_files())
    memo = RuleMemo()
    vault = load_vault(root)
    run_rules(vault, TODAY, memo=memo)
    edit(root, "contacts/C01.md", lambda text: text + "- 2026-11-20 took: Rat\n")
    edit(root, "contacts/C02.md", lambda text: text + "- 2026-11-20 took: Rat\n")
    changed = reuse(vault, load_vault(root))

    rule = REGISTRY["one-sided"]
    check = rule.contact_check
    assert check is not None

    def broken(ctx: Any, contact: Contact, fig: Any, options: dict[str, Any]) -> Any:
        if contact.path == "contacts/C02.md":
            raise RuntimeError("a bug in a rule")
        return check(ctx, contact, fig, options)

    monkeypatch.setitem(REGISTRY, "one-sided", dataclasses.replace(rule, contact_check=broken))
    with pytest.raises(RuntimeError, match="a bug in a rule"):
        run_rules(changed, TODAY, memo=memo)  # C01 done, C02 failed
    monkeypatch.setitem(REGISTRY, "one-sided", rule)
    assert run_rules(changed, TODAY, memo=memo) == fresh(changed)


def mutated(rng: random.Random, contacts: list[Contact], step: int) -> Contact:
    """A new object for a random contact, changed in ways that move findings around.

    Paths stay unique, as they are files.
    """
    position = rng.randrange(len(contacts))
    target, donor = contacts[position], rng.choice(contacts)
    changes: dict[str, Any] = rng.choice([
        {"name": rng.choice(["Dana Doppel", "Kontakt 01", f"Neu {step}"])},
        {"status": rng.choice(["active", "archived"])},
        {"ignore": frozenset(rng.sample(sorted(REGISTRY), 3))},
        {"interactions": donor.interactions},
        {"interactions": target.interactions[: rng.randrange(len(target.interactions) + 1)]},
        {"tasks": donor.tasks},
        {"path": f"contacts/Neu {step}-{position}.md"},
        {"circle": rng.choice(["key", "regular", "loose", None]), "cadence_days": 30},
        {},
    ])
    contacts[position] = dataclasses.replace(target, **changes)
    return contacts[position]


def test_random_edits_of_contact_objects_give_the_findings_of_fresh_runs(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, vault_files()))
    rng = random.Random(8)
    memos = {lang: RuleMemo() for lang in LANGS}
    contacts = list(vault.contacts)
    for step in range(60):
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            mutated(rng, contacts, step)
        if step % 10 == 9:
            contacts.pop(rng.randrange(len(contacts)))
        if step % 10 == 4:
            contacts.insert(rng.randrange(len(contacts)),
                            dataclasses.replace(rng.choice(contacts), path=f"contacts/x{step}.md"))
        vault = dataclasses.replace(vault, contacts=tuple(contacts))
        for lang, memo in memos.items():
            assert run_rules(vault, TODAY, lang=lang, memo=memo) == fresh(vault, lang=lang), step
