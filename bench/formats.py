"""Why the parse cache is marshal: load time of the same records in marshal, pickle, JSON.

    python bench/formats.py [VAULT]       # default: bench/out/vault (run bench/run.py first)

Parses every note of the vault, turns each into the cache's plain record (what
`netzmd.cache.encode` writes), and times loading all records back in each format
(best of 5, one process, garbage collector off as in netzmd). JSON has no tuples, so its
records come back as lists; turning them back would cost extra, which is not counted.
"""

from __future__ import annotations

import gc
import json
import marshal
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

from netzmd.assembly import note_record
from netzmd.cache import encode
from netzmd.config import load_config
from netzmd.vault import read_note, walk


def best(load: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "out" / "vault")
    root = root.resolve()
    notes = walk(root, load_config(root), [])
    records = [encode(note_record(read_note(note))) for note in notes]
    gc.disable()
    as_marshal = marshal.dumps(records)
    as_pickle = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
    as_json = json.dumps(records, ensure_ascii=False).encode("utf-8")
    print(f"{len(records):,} notes")
    print("| format | size | load |")
    print("|---|---:|---:|")
    for name, data, load in (
        ("marshal", as_marshal, lambda: marshal.loads(as_marshal)),
        ("pickle", as_pickle, lambda: pickle.loads(as_pickle)),
        ("json", as_json, lambda: json.loads(as_json)),
    ):
        print(f"| {name} | {len(data) / 1e6:.1f} MB | {best(load) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
