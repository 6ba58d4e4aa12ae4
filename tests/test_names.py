"""Looking a contact up by a typed name: folded, accent-free, transliterated."""

from __future__ import annotations

from pathlib import Path

import pytest

from netzmd.names import find_contacts
from netzmd.vault import load_vault
from tests.conftest import make_vault


@pytest.fixture
def vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    make_vault(tmp_path, {
        "contacts/Dr. Jürgen Müller.md": "---\naliases: [Jürgen]\n---\n",
        "contacts/Sabine Groß.md": "---\n---\n",
        "contacts/Anna Keller.md": "---\n---\n",
        "contacts/Anna Kellermann.md": "---\n---\n",
        "contacts/Prof. Dr. Özlem Yıldız.md": "---\n---\n",
    })
    return load_vault(tmp_path)


@pytest.mark.parametrize("query", ["muller", "mueller", "MÜLLER", "juergen", "dr. jürgen müller"])
def test_mueller_found(vault, query: str) -> None:  # type: ignore[no-untyped-def]
    assert [c.name for c in find_contacts(vault, query)] == ["Dr. Jürgen Müller"]


def test_gross_finds_gross(vault) -> None:  # type: ignore[no-untyped-def]
    assert [c.name for c in find_contacts(vault, "gross")] == ["Sabine Groß"]


def test_exact_key_wins_over_substring(vault) -> None:  # type: ignore[no-untyped-def]
    assert [c.name for c in find_contacts(vault, "anna keller")] == ["Anna Keller"]
    assert [c.name for c in find_contacts(vault, "anna")] == ["Anna Keller", "Anna Kellermann"]
    assert find_contacts(vault, "nobody") == []


@pytest.mark.parametrize("query", ["yildiz", "Yıldız", "ozlem yildiz", "oezlem"])
def test_turkish_dotless_i_and_accents(vault, query: str) -> None:  # type: ignore[no-untyped-def]
    assert [c.name for c in find_contacts(vault, query)] == ["Prof. Dr. Özlem Yıldız"]
