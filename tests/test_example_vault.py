"""The bundled example vault (a snapshot as of 2026-12-10) shows every rule at work."""

from __future__ import annotations

from netzmd.rules import REGISTRY
from tests.conftest import EXAMPLE_VAULT, findings_for

TODAY = "2026-12-10"
# Rules that cannot fire in a healthy example: it has goals, and it has no files that are
# unreadable, oversized or symbolic links (those live in the hostile-input fixtures).
NOT_IN_EXAMPLE = {"no-goals", "loose-network", "encoding-error", "file-too-large",
                  "outside-vault"}


def test_every_rule_fires_in_the_example_vault() -> None:
    fired = {f.rule for f in findings_for(EXAMPLE_VAULT, TODAY)}
    assert fired == set(REGISTRY) - NOT_IN_EXAMPLE


def test_archived_snoozed_and_ignoring_contacts_stay_silent() -> None:
    contacts = {f.contact for f in findings_for(EXAMPLE_VAULT, TODAY)}
    assert contacts.isdisjoint({"Dr. Walter Lindner", "Dr. Friederike Schäfer",
                                "Dr. Jürgen Müller"})


def test_german_messages() -> None:
    messages = [f.message for f in findings_for(EXAMPLE_VAULT, TODAY, {"overdue"}, lang="de")]
    assert messages == ["letzter Kontakt vor 147 Tagen (16.07.2026); Rhythmus: alle 90 Tage"]
