"""The netzmd benchmark: one command, every SPEC 6 target, side by side with the baseline.

    python bench/run.py                       # 10,000 contacts, 5 runs per row
    python bench/run.py --runs 9 --json bench/out/result.json
    python bench/run.py --contacts 1000 --journal 200 --runs 3   # a quick look

It generates the synthetic vault into bench/out/vault (git-ignored; regenerated only when
the parameters or the generator change), then measures, each row in fresh processes and
the rows interleaved so that a busy machine slows all of them alike:

- baseline: `bench/baseline.py`, a plain loop of `frontmatter.load` over the same files;
- `netzmd check` with a cold parse cache (an empty `$XDG_CACHE_HOME` each run) and with a
  warm one, and with `--no-cache`; the three outputs must be identical;
- the watch path (`bench/watch_path.py`): one contact changed, refreshed and checked in
  the running process, then the digest rendered;
- `netzmd --help`, and which heavy modules it imports (it must import none);
- peak RSS, from the kernel's accounting of each finished child process.

The operating system's file cache is warm for every row (dropping it needs root); "cold"
means the parse cache only. Prints a Markdown table with the machine it ran on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/ is not a package)

TODAY = "2026-12-10"
HEAVY = ("yaml", "jinja2", "babel", "frontmatter", "watchdog")
TARGETS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "cold": ("≤ 1.00 × baseline", lambda s, b: s <= b),
    "warm": ("≤ 0.33 × baseline", lambda s, b: s <= 0.33 * b),
    "watch": ("< 0.25 s", lambda s, b: s < 0.25),
    "help": ("< 0.15 s", lambda s, b: s < 0.15),
}
RSS_LIMIT_MB = 500


@dataclass
class Row:
    """One measured thing: wall-clock seconds per run and peak RSS per run (MB)."""

    label: str
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _maxrss_mb(usage: object) -> float:
    value: int = getattr(usage, "ru_maxrss", 0)
    # Linux reports kilobytes, macOS bytes.
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def timed(argv: list[str], env: dict[str, str], row: Row | None,
          out: Path | None = None, ok: tuple[int, ...] = (0, 1)) -> bytes:
    """Run argv to the end; add its wall-clock time and peak RSS to row; return stdout."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env)
        # wait4, not wait: the kernel's rusage of this child, which includes the parse
        # workers it waited for (ru_maxrss is the largest single process).
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        data = stdout.read()
        if process.returncode not in ok:
            stderr.seek(0)
            sys.exit(f"{' '.join(argv)} failed ({process.returncode}):\n"
                     f"{stderr.read().decode(errors='replace')}")
    if row is not None:
        row.seconds.append(elapsed)
        row.rss_mb.append(_maxrss_mb(usage))
    if out is not None:
        out.write_bytes(data)
    return data


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import yaml

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyyaml": f"{yaml.__version__} ({'libyaml' if yaml.__with_libyaml__ else 'pure Python'})",
        "load": f"{load:.2f}",
    }


def prepare_vault(out: Path, contacts: int, journal: int, entries: int, seed: int) -> Path:
    """Generate the vault unless the one there was made with the same parameters."""
    vault = out / "vault"
    stamp = out / "vault.stamp"
    recipe = json.dumps({
        "contacts": contacts, "journal": journal, "entries": entries, "seed": seed,
        "generator": hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest(),
    })
    if not (vault.is_dir() and stamp.is_file() and stamp.read_text() == recipe):
        print(f"generating {contacts} contacts, {journal} journal notes in {vault} ...",
              file=sys.stderr)
        generate.generate(vault, contacts, journal, entries, seed)
        stamp.write_text(recipe)
    # The parse cache distrusts notes written within 2 s of a run ("racy" mtimes): let
    # the fresh vault age first, or the first warm run would parse some notes again.
    newest = max(p.stat().st_mtime for p in vault.rglob("*.md"))
    time.sleep(max(0.0, newest + 2.5 - time.time()))
    return vault


def help_imports(python: str, env: dict[str, str]) -> list[str]:
    """Heavy modules `netzmd --help` imports (the list must be empty)."""
    result = subprocess.run([python, "-X", "importtime", "-m", "netzmd", "--help"],
                            capture_output=True, text=True, env=env, check=True)
    found = set()
    for line in result.stderr.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        if name.split(".")[0] in HEAVY:
            found.add(name.split(".")[0])
    return sorted(found)


def fmt_seconds(value: float) -> str:
    return f"{value:.3f} s"


def table(rows: dict[str, Row], watch: dict[str, list[float]], info: dict[str, str],
          args: argparse.Namespace, notes: int, imports: list[str], identical: bool) -> str:
    base = rows["baseline"].median
    lines = [
        f"netzmd benchmark: {args.contacts:,} contacts, {args.contacts * args.entries:,} log "
        f"entries, {args.journal:,} journal notes ({notes:,} notes); median of {args.runs} runs",
        "",
        f"machine: {info['cpu']}, {info['cores']} cores, {info['system']}, "
        f"Python {info['python']}, PyYAML {info['pyyaml']}; load average at start "
        f"{info['load']}",
        "",
        "| measurement | median | × baseline | peak RSS | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]

    def add(label: str, seconds: float, rss: float | None, key: str | None) -> None:
        target, met = "", ""
        if key is not None:
            target, check = TARGETS[key]
            met = "yes" if check(seconds, base) else "**no**"
        shown_rss = f"{rss:.0f} MB" if rss is not None else "–"
        lines.append(f"| {label} | {fmt_seconds(seconds)} | {seconds / base:.2f} | "
                     f"{shown_rss} | {target} | {met} |")

    for key, label, target in (
        ("baseline", "baseline: `frontmatter.load` loop", None),
        ("cold", "`netzmd check`, cold parse cache", "cold"),
        ("warm", "`netzmd check`, warm parse cache", "warm"),
        ("nocache", "`netzmd check --no-cache`", None),
    ):
        row = rows[key]
        add(label, row.median, max(row.rss_mb), target)
    if watch.get("check"):
        add("watch: one contact changed, refresh + check", statistics.median(watch["check"]),
            None, "watch")
    if watch.get("digest"):
        add("watch: … + digest rendered", statistics.median(watch["digest"]), None, "watch")
    add("`netzmd --help`", rows["help"].median, max(rows["help"].rss_mb), "help")
    peak = max(max(row.rss_mb) for key, row in rows.items() if key != "baseline")
    lines += [
        "",
        f"peak RSS of any netzmd process: {peak:.0f} MB (target < {RSS_LIMIT_MB} MB: "
        f"{'yes' if peak < RSS_LIMIT_MB else '**no**'})",
        f"heavy modules imported by `netzmd --help`: {', '.join(imports) or 'none'}",
        f"check output identical with cold, warm and no cache: {'yes' if identical else '**no**'}",
        "file system cache warm for every row; \"cold\" is the parse cache only",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (default 5)")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--journal", type=int, default=2_000)
    parser.add_argument("--entries", type=int, default=10, help="log entries per contact")
    parser.add_argument("--seed", type=int, default=generate.SEED)
    parser.add_argument("--out", type=Path, default=HERE / "out",
                        help="where the vault is generated (default bench/out)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args()

    info = machine()
    args.out.mkdir(parents=True, exist_ok=True)
    vault = prepare_vault(args.out, args.contacts, args.journal, args.entries, args.seed)
    notes = sum(1 for _ in vault.rglob("*.md"))
    python = sys.executable
    # `netzmd check` as a user types it: text output, every finding printed.
    check = [python, "-m", "netzmd", "check", "--vault", str(vault), "--today", TODAY,
             "--no-color", "--fail-on", "never"]
    rows = {key: Row(key) for key in ("baseline", "cold", "warm", "nocache", "help")}

    with tempfile.TemporaryDirectory(prefix="netzmd-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        env = dict(os.environ)
        env.pop("NETZMD_VAULT", None)
        # An installed netzmd runs from compiled bytecode; a sandbox that forbids writing
        # it would recompile every module in every timed run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        warm_env = {**env, "XDG_CACHE_HOME": str(scratch / "warm")}

        def cold_env(run: int) -> dict[str, str]:
            return {**env, "XDG_CACHE_HOME": str(scratch / f"cold-{run}")}

        # Untimed: compiled bytecode, the file cache, and the warm parse cache.
        timed([python, str(HERE / "baseline.py"), str(vault)], env, None)
        timed(check, warm_env, None)
        outputs = {
            "warm": scratch / "warm.txt", "cold": scratch / "cold.txt",
            "nocache": scratch / "nocache.txt",
        }
        def one_round(run: int) -> None:
            timed([python, str(HERE / "baseline.py"), str(vault)], env, rows["baseline"])
            timed(check, cold_env(run), rows["cold"], outputs["cold"])
            timed(check, warm_env, rows["warm"], outputs["warm"])
            timed([*check, "--no-cache"], cold_env(run), rows["nocache"], outputs["nocache"])
            for _ in range(3):  # start-up is short: three samples per round
                timed([python, "-m", "netzmd", "--help"], env, rows["help"])

        for run in range(args.runs):
            print(f"round {run + 1}/{args.runs}", file=sys.stderr)
            one_round(run)
        texts = {key: path.read_bytes() for key, path in outputs.items()}
        identical = texts["cold"] == texts["warm"] == texts["nocache"]
        print("watch path ...", file=sys.stderr)
        watch = json.loads(timed([python, str(HERE / "watch_path.py"), str(vault),
                                  "--runs", str(args.runs), "--today", TODAY],
                                 warm_env, None))
        imports = help_imports(python, env)

    print(table(rows, watch, info, args, notes, imports, identical))
    if args.json is not None:
        args.json.write_text(json.dumps({
            "machine": info,
            "rows": {k: {"seconds": r.seconds, "rss_mb": r.rss_mb} for k, r in rows.items()},
            "watch": watch, "help_imports": imports, "identical": identical,
        }, indent=2))


if __name__ == "__main__":
    main()
