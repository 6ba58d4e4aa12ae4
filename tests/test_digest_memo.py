"""The digest context built with a memo (watch mode) is the context built afresh.

`watch` keeps a `DigestMemo` and hands over a vault in which every unchanged contact is
the very same `Contact` object. Here the example vault is changed the same way (one
contact replaced, one removed, a finding changed, another day, week or language) and each
context built with the memo is compared with one built without it, field by field and as
rendered reports; the per-contact work is counted to show what the memo saves.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd import digest
from netzmd.digest import DigestMemo, LazyList, LazyMapping, build_context, iso_week
from netzmd.engine import run_rules
from netzmd.findings import Finding, Level
from netzmd.log import fold
from netzmd.model import Birthday, Contact, Interaction, Task, Vault
from netzmd.report import render
from netzmd.rules import Context
from netzmd.vault import load_vault
from tests.conftest import EXAMPLE_VAULT, make_vault

TODAY = dt.date(2026, 12, 10)  # Thursday of ISO week 2026-W50
REPORTS = [("digest", "md"), ("digest", "html"), ("quarter", "md"), ("contacts", "md")]


@pytest.fixture(scope="module")
def example() -> Vault:
    return load_vault(EXAMPLE_VAULT)


def contact_named(vault: Vault, name: str) -> Contact:
    [contact] = [c for c in vault.contacts if c.name == name]
    return contact


def with_contacts(vault: Vault, contacts: Sequence[Contact]) -> Vault:
    """The vault as the incremental loader hands it over: other contacts stay the same."""
    return replace(vault, contacts=tuple(contacts))


def swapped(vault: Vault, old: Contact, new: Contact) -> Vault:
    return with_contacts(vault, [new if c is old else c for c in vault.contacts])


def build(vault: Vault, findings: Sequence[Finding] | None = None, today: dt.date = TODAY,
          week: tuple[int, int] | None = None, lang: str = "de",
          memo: DigestMemo | None = None) -> dict[str, Any]:
    if findings is None:
        findings = run_rules(vault, today, lang=lang)
    return build_context(vault, findings, today, week or iso_week(today), lang,
                         Context(vault, today), memo=memo)


def assert_same(vault: Vault, with_memo: dict[str, Any], fresh: dict[str, Any]) -> None:
    """Equal field by field, and every built-in report reads the same."""
    assert list(with_memo) == list(fresh)
    for key in fresh:
        assert with_memo[key] == fresh[key], key
    for name, fmt in REPORTS:
        assert render(vault.root, name, with_memo, fmt) == render(vault.root, name, fresh, fmt)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """The contacts whose share and whose record are worked out, by path, in order."""
    calls: dict[str, list[str]] = {"parts": [], "records": []}
    make_part, make_record = digest._contact_part, digest.contact_record

    def part(contact: Contact, *args: Any) -> Any:
        calls["parts"].append(contact.path)
        return make_part(contact, *args)

    def record(contact: Contact, *args: Any) -> Any:
        calls["records"].append(contact.path)
        return make_record(contact, *args)

    monkeypatch.setattr(digest, "_contact_part", part)
    monkeypatch.setattr(digest, "contact_record", record)
    yield calls


def warm(vault: Vault, memo: DigestMemo) -> None:
    """A first build that the memo keeps, with every section and list read."""
    for name, fmt in REPORTS:
        render(vault.root, name, build(vault, memo=memo), fmt)


# ---------------------------------------------------------------- the same context


def test_a_changed_contact_is_worked_out_again_and_nobody_else(
        example: Vault, counted: dict[str, list[str]]) -> None:
    memo = DigestMemo()
    warm(example, memo)
    anna = contact_named(example, "Dr. Anna Keller")
    # Met today, with a planned step due this week: she moves into several sections.
    met = Interaction(TODAY, "coffee", "give", True, False, "Kaffee nach der Fallkonferenz",
                      anna.path, 99)
    step = Task(TODAY + dt.timedelta(days=2), "Paper zur Nierenbiopsie schicken", anna.path, 100)
    changed = swapped(example, anna, replace(anna, interactions=(*anna.interactions, met),
                                             tasks=(*anna.tasks, step)))
    counted["parts"].clear()
    counted["records"].clear()

    context = build(changed, memo=memo)
    text = render(changed.root, "digest", context, "md")
    days = {c["path"]: c["days_since"] for c in context["contacts"]}  # every record read

    assert counted["parts"] == [anna.path]
    assert counted["records"] == [anna.path]
    assert days[anna.path] == 0
    assert (memo.built, memo.reused) == (1, len(example.contacts) - 1)
    assert "Paper zur Nierenbiopsie schicken" in text
    assert "Kaffee nach der Fallkonferenz" in text
    assert_same(changed, context, build(changed))


def test_a_deleted_contact_leaves_every_section(example: Vault) -> None:
    memo = DigestMemo()
    warm(example, memo)
    gone = example.contacts[0]
    smaller = with_contacts(example, example.contacts[1:])

    context = build(smaller, memo=memo)

    assert gone.path not in [c["path"] for c in context["contacts"]]
    assert gone.name not in render(smaller.root, "digest", context, "md")
    assert (memo.built, memo.reused) == (0, len(smaller.contacts))
    assert_same(smaller, context, build(smaller))


def test_an_added_contact_is_worked_out(example: Vault) -> None:
    memo = DigestMemo()
    first, rest = example.contacts[0], example.contacts[1:]
    warm(with_contacts(example, rest), memo)

    context = build(example, memo=memo)

    assert (memo.built, memo.reused) == (1, len(rest))
    assert first.path in [c["path"] for c in context["contacts"]]
    assert_same(example, context, build(example))


def test_a_changed_finding_is_shown_as_it_is_now(example: Vault) -> None:
    memo = DigestMemo()
    findings = run_rules(example, TODAY, lang="de")
    warm(example, memo)
    top = build(example, findings)["this_week"][0]
    [reason] = [f for f in findings
                if f.path == top["contact"]["path"] and f.rule == top["rules"][0]]
    assert top["reasons"][0] == (
        "am 16.10.2026 kennengelernt, aber keine Nachricht in den zwei Wochen danach – "
        "eine kurze Mail hilft noch immer")
    # The same contact object; only what the rules say about it differs.
    earlier = replace(reason, data={**reason.data, "met": dt.date(2026, 10, 15)})
    findings = [earlier if f is reason else f for f in findings]

    context = build(example, findings, memo=memo)

    assert (memo.built, memo.reused) == (1, len(example.contacts) - 1)
    assert context["this_week"][0]["reasons"][0].startswith("am 15.10.2026 kennengelernt")
    assert_same(example, context, build(example, findings))


def test_a_finding_gone_takes_the_contact_off_this_week(example: Vault) -> None:
    memo = DigestMemo()
    findings = run_rules(example, TODAY, lang="de")
    warm(example, memo)
    top = build(example, findings)["this_week"][0]["contact"]
    findings = [f for f in findings if f.path != top["path"]]

    context = build(example, findings, memo=memo)

    assert top["path"] not in [e["contact"]["path"] for e in context["this_week"]]
    assert_same(example, context, build(example, findings))


def test_data_problems_follow_their_findings(example: Vault) -> None:
    memo = DigestMemo()
    findings = run_rules(example, TODAY, lang="de")
    warm(example, memo)
    kept = build(example, findings, memo=memo)["problems"]
    assert (kept["count"], kept["errors"], kept["warnings"]) == (8, 4, 4)
    assert build(example, findings, memo=memo)["problems"] == kept
    # The YAML error fixed, and the future date made an error in the config.
    fixed = [f for f in findings if f.rule != "yaml-error"]
    stricter = [replace(f, level=Level.ERROR) if f.rule == "future-date" else f
                for f in fixed]

    context = build(example, stricter, memo=memo)

    problems = context["problems"]
    assert (problems["count"], problems["errors"], problems["warnings"]) == (7, 4, 3)
    assert "Kontakte/Dr. Tobias Lehmann.md" not in [file["path"] for file in problems["files"]]
    assert_same(example, context, build(example, stricter))


@pytest.mark.parametrize("change", [
    {"today": TODAY + dt.timedelta(days=1)},
    {"today": dt.date(2027, 1, 4)},  # another week, quarter and year
    {"week": (2026, 51)},  # next week's tasks, as of today
    {"lang": "en"},
])
def test_another_day_week_or_language_works_everything_out_again(
        example: Vault, change: dict[str, Any]) -> None:
    memo = DigestMemo()
    warm(example, memo)

    context = build(example, memo=memo, **change)

    assert (memo.built, memo.reused) == (len(example.contacts), 0)
    assert_same(example, context, build(example, **change))


def test_a_changed_config_works_everything_out_again(example: Vault) -> None:
    memo = DigestMemo()
    warm(example, memo)
    shorter = replace(example, config=replace(example.config, window_days=90))

    context = build(shorter, memo=memo)

    assert memo.built == len(example.contacts)
    assert_same(shorter, context, build(shorter))


def test_a_vault_loaded_again_gives_the_same_context(tmp_path: Any) -> None:
    """A fresh load has new Contact objects: nothing is taken over, and nothing differs."""
    root = make_vault(tmp_path, {
        "contacts/Anna Keller.md": "---\ncircle: key\n---\n- 2026-12-08 call: Befund #geben\n",
        "contacts/Bert Roth.md": "---\ncircle: regular\ncadence: 30d\n---\n"
                                 "- 2026-06-01 call: Rückfrage #nehmen\n",
    })
    memo = DigestMemo()
    warm(load_vault(root), memo)
    (root / "contacts/Bert Roth.md").write_text(
        "---\ncircle: regular\ncadence: 30d\n---\n- 2026-06-01 call: Rückfrage #nehmen\n"
        "- 2026-12-09 coffee: Kaffee #geben\n", encoding="utf-8")
    vault = load_vault(root)

    context = build(vault, memo=memo)

    assert (memo.built, memo.reused) == (2, 0)
    assert [i["plain"] for i in context["last_week"]] == ["Befund #geben", "Kaffee #geben"]
    assert_same(vault, context, build(vault))


def test_contexts_of_one_memo_stay_as_they_were_built(example: Vault) -> None:
    """A context read after the next build still shows its own day."""
    memo = DigestMemo()
    today = build(example, memo=memo)
    build(example, today=TODAY + dt.timedelta(days=1), memo=memo)
    assert today["today"] == TODAY
    assert [c["days_since"] for c in today["contacts"]] == [
        c["days_since"] for c in build(example)["contacts"]]


# ---------------------------------------------------------------- made on first use


def test_records_are_filled_in_only_where_a_template_reads_more_than_the_link(
        example: Vault, counted: dict[str, list[str]]) -> None:
    context = build(example)
    render(example.root, "digest", context, "md")
    # The digest writes [[link]] for most contacts; it reads more only of those it
    # describes (this week) and of the key contacts not reached (their last contact).
    described = {e["contact"]["path"] for e in context["this_week"]} | {
        row["contact"]["path"] for row in context["quarter"]["key_contacts"]
        if not row["reached"]}
    assert sorted(counted["records"]) == sorted(described)

    assert [c["name"] for c in context["contacts"]] == sorted(
        (c.name for c in example.contacts), key=fold)  # known: nothing filled in
    assert len(counted["records"]) == len(described)
    assert all(c["interactions"] >= 0 for c in context["contacts"])
    assert sorted(counted["records"]) == sorted(c.path for c in example.contacts)


def test_a_record_filled_in_on_first_use_reads_as_the_whole_dict(example: Vault) -> None:
    def record() -> dict[str, Any]:  # the first contact's record of a new build, not filled in
        return build(example)["contacts"][0]  # type: ignore[no-any-return]

    whole = dict(record())
    assert list(whole)[:5] == ["name", "path", "stem", "link", "aliases"]
    reads = [
        lambda r: r["circle"], lambda r: r.get("circle"), lambda r: "circle" in r,
        lambda r: "nothing" in r, lambda r: list(r), lambda r: len(r), lambda r: r == whole,
        lambda r: whole == r, lambda r: r != whole, lambda r: list(r.keys()),
        lambda r: list(r.values()), lambda r: list(r.items()), lambda r: r.copy(),
        lambda r: dict(r), lambda r: {**r}, lambda r: repr(r), lambda r: list(reversed(r)),
        lambda r: r | {"x": 1}, lambda r: {"x": 1} | r, lambda r: copy.copy(r),
        lambda r: pickle.loads(pickle.dumps(r)), lambda r: json.dumps(r, default=str),
    ]
    for read in reads:
        assert read(record()) == read(dict(whole)), read
    changes = [lambda r: r.update(x=1), lambda r: r.__setitem__("x", 1),
               lambda r: r.pop("aliases"), lambda r: r.setdefault("x", 1),
               lambda r: r.__delitem__("tags"), lambda r: r.popitem()]
    for change in changes:
        changed, plain = record(), dict(whole)
        assert change(changed) == change(plain)
        assert dict(changed) == plain and list(changed) == list(plain), change
    emptied = record()
    emptied.clear()
    assert emptied == {} and len(emptied) == 0
    with pytest.raises(KeyError):
        record()["nothing"]

    member = next(m for goal in build(example)["goals"] for m in goal["members"])
    assert list(member)[:4] == ["name", "path", "stem", "link"]
    [own] = [c for c in build(example)["contacts"] if c["path"] == member["path"]]
    assert list(member.items()) == [*own.items(), ("counts", member["counts"])]


def test_lists_made_on_first_use_read_like_lists(example: Vault) -> None:
    context = build(example)
    contacts = context["contacts"]
    assert isinstance(contacts, LazyList)
    made = list(contacts)
    assert contacts == made and made == contacts
    assert contacts[0] == made[0] and contacts[-2:] == made[-2:]
    assert len(contacts) == len(made) and made[0] in contacts
    assert list(reversed(contacts)) == made[::-1]
    assert contacts + made[:1] == made + made[:1] and made[:1] + contacts == made[:1] + made
    assert repr(contacts) == repr(made)
    charts = context["charts"]
    assert isinstance(charts, LazyMapping)
    assert list(charts) == ["months", "balance"]
    assert dict(charts) == {"months": charts["months"], "balance": charts["balance"]}


def test_templates_see_lists_and_mappings_made_on_first_use(tmp_path: Any, example: Vault
                                                            ) -> None:
    root = make_vault(tmp_path, {"templates/lazy.md.j2": (
        "{{ contacts | length }}|{{ contacts is sequence }}|{{ contacts[0].name }}"
        "|{{ (contacts | sort(attribute='name', reverse=true) | first).name }}"
        "|{{ contacts | selectattr('circle', 'eq', 'key') | list | length }}"
        "|{{ charts.months.total }}|{{ charts['balance'].rows | length }}|{{ charts | length }}"
        "|{{ findings | map(attribute='rule') | unique | list | length }}"
        "|{{ quarter.contacts | length }}")})
    context = build(example)
    contacts, findings = list(context["contacts"]), list(context["findings"])
    assert render(root, "lazy", context, "md").split("|") == [
        str(len(example.contacts)), "True", contacts[0]["name"],
        max(c["name"] for c in contacts),
        str(sum(1 for c in example.contacts if c.circle == "key")),
        str(context["charts"]["months"]["total"]),
        str(len(context["charts"]["balance"]["rows"])), "2",
        str(len({f["rule"] for f in findings})),
        str(len(context["quarter"]["contacts"])),
    ]


# ---------------------------------------------------------------- birthdays, filtered first


@settings(max_examples=300, deadline=None)
@given(today=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
       days=st.integers(-3, 400), month=st.integers(1, 12), day=st.integers(1, 31),
       year=st.one_of(st.none(), st.integers(1900, 2000)))
def test_the_birthday_filter_lets_every_birthday_in_the_window_through(
        today: dt.date, days: int, month: int, day: int, year: int | None) -> None:
    if day > calendar.monthrange(2024, month)[1]:  # 2024: 29 February exists
        return
    within = digest._birthdays_within(today, days)
    in_days = (Birthday(month, day, year).next_date(today) - today).days
    if 0 <= in_days < days:
        assert within is None or (month, day) in within
    if days <= 365:  # a filter that lets through no more than a day or so too many
        assert within is not None and len(within) <= max(days, 0) + 1
