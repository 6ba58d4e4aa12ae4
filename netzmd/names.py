"""Finding a contact by a typed NAME: folded, accent-free and transliterated (SPEC 2.2)."""

from __future__ import annotations

import unicodedata

from netzmd.log import fold
from netzmd.model import Contact, Vault
from netzmd.vault import contact_keys

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Letters that are not a base letter plus a combining accent, so NFD cannot strip them.
_BASE_LETTERS = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae",
                               "œ": "oe", "þ": "th"})


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ).translate(_BASE_LETTERS)


def variants(text: str) -> set[str]:
    """The spellings a key may be typed as: `Müller` -> müller, muller, mueller."""
    folded = fold(text)
    return {folded, _strip_accents(folded), _strip_accents(folded.translate(_GERMAN))}


def find_contacts(vault: Vault, name: str) -> list[Contact]:
    """One contact for an exact key; otherwise every contact with a key containing NAME."""
    query = variants(name.strip())
    query.discard("")
    if not query:
        return []
    exact: list[Contact] = []
    partial: list[Contact] = []
    for contact in vault.contacts:
        keys: set[str] = set()
        for key in contact_keys(contact):
            keys |= variants(key)
        if query & keys:
            exact.append(contact)
        elif any(q in k for q in query for k in keys):
            partial.append(contact)
    return exact or partial
