"""The watch path, in one process: a contact changes, the vault is refreshed, checked, rendered.

    python bench/watch_path.py VAULT [--runs 5] [--today 2026-12-10]

What `netzmd watch` does after an edit settles: `IncrementalVault.refresh([path])` reads
the one changed note (the others stay parsed in memory, the first load came from the
parse cache), `vault()` builds again the contacts that note names, the rules run and the
digest is rendered, both with the memos watch keeps (work for unchanged contacts reused).
Prints JSON: seconds per run for refresh + check, and for refresh + check + digest, and
how many notes each refresh read. The contact is restored afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from netzmd.cli import format_finding
from netzmd.digest import DigestMemo
from netzmd.engine import RuleMemo, run_rules
from netzmd.locale import detect_lang
from netzmd.vault import _gc_paused
from netzmd.watch import IncrementalVault


def render_digest(root: Path, live: IncrementalVault, findings: list[Any], day: dt.date,
                  lang: str, rules: RuleMemo, memo: Any) -> str:
    """The digest as watch renders it (not written)."""
    from netzmd.digest import build_context, iso_week
    from netzmd.report import render

    context = build_context(live.vault(), findings, day, iso_week(day), lang, rules.context,
                            memo=memo)
    return render(root, "digest", context, "md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 10))
    args = parser.parse_args()
    root = args.vault.resolve()
    live = IncrementalVault(root, cache=True)
    live.refresh()
    lang = detect_lang(None, live.config.lang)
    rules, digest = RuleMemo(), DigestMemo()

    def check() -> list[Any]:
        findings = run_rules(live.vault(), args.today, lang=lang, memo=rules)
        "\n".join(format_finding(f, False) for f in findings)
        return findings

    with _gc_paused():
        # The first render, as watch makes it on start: imports, templates, catalogues.
        render_digest(root, live, check(), args.today, lang, rules, digest)

    contacts = sorted((root / live.config.contacts).glob("*.md"))
    target = contacts[len(contacts) // 2]
    rel = target.relative_to(root).as_posix()
    original = target.read_bytes()
    result: dict[str, list[float | int]] = {"check": [], "digest": [], "reads": []}
    try:
        for run in range(args.runs):
            line = f"- {args.today.isoformat()} call: Benchmark-Anruf Nr. {run} #fachlich\n"
            target.write_bytes(original + line.encode("utf-8"))
            started = time.perf_counter()
            with _gc_paused():
                live.refresh([rel])
                findings = check()
                checked = time.perf_counter()
                render_digest(root, live, findings, args.today, lang, rules, digest)
            rendered = time.perf_counter()
            result["check"].append(checked - started)
            result["digest"].append(rendered - started)
            result["reads"].append(live.reads)
    finally:
        target.write_bytes(original)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
