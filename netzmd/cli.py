"""The command line: parse options, call the core, format, exit. No domain logic here.

Heavy modules are imported inside the commands: `netzmd --help` must start fast.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from netzmd.findings import Finding
    from netzmd.model import Contact, Vault

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class Failure(click.ClickException):
    """A config, vault or usage problem: message on stderr, exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


@dataclass
class State:
    vault: str | None = None
    today: dt.date | None = None
    lang: str | None = None
    color: bool = True
    quiet: bool = False
    cache: bool = True

    def resolve_today(self) -> dt.date:
        if self.today is not None:
            return self.today
        env = os.environ.get("NETZMD_TODAY")
        if env:
            try:
                return parse_today(env)
            except ValueError:
                raise Failure(f"NETZMD_TODAY is not a date (YYYY-MM-DD): {env!r}") from None
        return dt.date.today()


def _state(ctx: click.Context) -> State:
    return ctx.ensure_object(State)


def _set(attr: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable[..., None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(_state(ctx), attr, convert(value))

    return callback


def parse_today(value: str) -> dt.date:
    """A --today date; the last year is refused so that 'next birthday' stays a date."""
    day = dt.date.fromisoformat(value)
    if day.year >= dt.MAXYEAR:
        raise ValueError(value)
    return day


def _parse_today(value: str) -> dt.date:
    try:
        return parse_today(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0)],
                         "\ufffd")


def _echo_safe(text: str) -> None:
    click.echo(terminal_safe(text))


def terminal_safe(text: str) -> str:
    """Text from notes with control characters replaced: a name or file name must not
    move the cursor, set the terminal title or split one finding over two lines."""
    # Every character _CONTROL replaces is unprintable; the scan is ten times faster
    # than translate, and a check prints thousands of lines that have none.
    return text if text.isprintable() else text.translate(_CONTROL)


def common_options(func: F) -> F:
    """--vault, --today, --lang, --no-color, -q, --no-cache: before and after the command name."""
    options = [
        click.option("--vault", type=click.Path(file_okay=False), expose_value=False,
                     callback=_set("vault"), help="Vault folder (default: $NETZMD_VAULT, "
                     "else the first folder upwards with netzmd.toml or .obsidian/)."),
        click.option("--today", metavar="YYYY-MM-DD", expose_value=False,
                     callback=_set("today", _parse_today),
                     help="Pretend today is this date (default: $NETZMD_TODAY, else the clock)."),
        click.option("--lang", type=click.Choice(["de", "en"]), expose_value=False,
                     callback=_set("lang"), help="Output language (default: config, else locale)."),
        click.option("--no-color", is_flag=True, expose_value=False,
                     callback=_set("color", lambda v: False), help="No colours in the output."),
        click.option("-q", "--quiet", is_flag=True, expose_value=False,
                     callback=_set("quiet"), help="Print less: no summary lines."),
        click.option("--no-cache", is_flag=True, expose_value=False,
                     callback=_set("cache", lambda v: False),
                     help="Parse every note afresh; neither read nor write the parse cache."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass
class Session:
    """A loaded vault with the resolved date and language of this invocation."""

    state: State
    vault: Vault
    today: dt.date
    lang: str

    def t(self, section: str, key: str, **values: Any) -> str:
        from netzmd.locale import t

        return t(section, key, self.lang, **values)

    def findings(self, select: Iterable[str] | None = None, ignore: Iterable[str] = ()
                 ) -> list[Finding]:
        from netzmd.engine import SelectionError, run_rules

        try:
            return run_rules(self.vault, self.today, select=select, ignore=ignore,
                             lang=self.lang)
        except SelectionError as err:
            raise Failure(str(err)) from None


# A cold parse of fewer notes takes well under a second: a bar would only flicker.
PROGRESS_MIN = 500
# Output meant for programs: nothing but the data, not even on stderr.
_MACHINE_FORMATS = frozenset({"json", "csv", "github"})


class ProgressBar:
    """A `progress(done, total)` callback that draws a bar on stderr once total > `minimum`."""

    def __init__(self, label: str, minimum: int = PROGRESS_MIN, file: Any = None) -> None:
        self.label = label
        self.minimum = minimum
        self.file = file
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if total <= self.minimum:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label,
                                          file=self.file or sys.stderr)
            self._bar.render_progress()
        self._bar.update(done - self._shown)
        self._shown = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.render_finish()
            self._bar = None


@contextmanager
def progress_bar_for(ctx: click.Context, lang: str, key: str = "parse"
                     ) -> Iterator[ProgressBar | None]:
    """A progress callback for a long run; None with -q, machine formats or no terminal.

    `key` names the label in the `progress` catalogue section (`parse`, `import`).
    """
    from netzmd.locale import t

    stderr_tty = sys.stderr is not None and sys.stderr.isatty()
    if _state(ctx).quiet or ctx.params.get("fmt") in _MACHINE_FORMATS or not stderr_tty:
        yield None
        return
    bar = ProgressBar(t("progress", key, lang))
    try:
        yield bar
    finally:
        bar.close()


# A list while main() runs as the process itself; see hold_until_exit.
_held: list[object] | None = None


def hold_until_exit(*objects: object) -> None:
    """Keep `objects` (a loaded vault, its findings) alive until the process ends.

    Once a check has printed, freeing a vault of 10,000 contacts object by object and
    the interpreter's last garbage collection over it would take 0.1 s: main() ends the
    process with os._exit instead, when nothing else is left to do (`_nothing_left`).
    Outside main() (tests, Click's CliRunner, library use) this does nothing.
    """
    if _held is not None:
        _held.extend(objects)
        # Nothing held becomes garbage before the exit: keep the cycle collector off it.
        gc.freeze()


def _nothing_left() -> bool:
    """Whether ending the process with os._exit skips nothing but freeing memory.

    Not when a thread still runs (Python would wait for it), an exit handler is
    registered (multiprocessing, logging, weakref.finalize, coverage, executors), a
    tracer or profiler is attached (cProfile reports after the program), or stdout or
    stderr cannot be flushed (a closed pipe: Python's usual exit reports it). Both
    handler lists are private; a Python without them gets the usual exit.
    """
    registered = getattr(atexit, "_ncallbacks", None)
    if registered is None or registered() or getattr(threading, "_threading_atexits", 1):
        return False
    if threading.active_count() > 1 or sys.gettrace() or sys.getprofile():
        return False
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


def open_session(ctx: click.Context) -> Session:
    from netzmd.config import ConfigError, load_config
    from netzmd.locale import detect_lang
    from netzmd.vault import VaultError, find_root, load_vault

    state = _state(ctx)
    today = state.resolve_today()
    if gc.isenabled():
        # A one-shot command builds a vault of millions of objects without cycles and
        # ends: the cycle collector would only walk them again and again (0.2 s of a
        # warm `check` of 10,000 contacts). It is back on when the command is done.
        gc.disable()
        ctx.call_on_close(gc.enable)
    try:
        root = find_root(state.vault)
        config = load_config(root)
        with progress_bar_for(ctx, detect_lang(state.lang, config.lang)) as progress:
            vault = load_vault(root, config, progress, cache=state.cache)
    except VaultError as err:
        raise Failure(f"netzmd: {err}") from None
    except ConfigError as err:
        raise Failure(f"netzmd: netzmd.toml: {err}") from None
    lang = detect_lang(state.lang, vault.config.lang)
    return Session(state, vault, today, lang)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def _split_ids(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="netzmd", prog_name="netzmd")
@common_options
def cli() -> None:
    """netzmd keeps a professional network in plain Markdown deliberately.

    It reads a folder of contact notes (an Obsidian vault or any folder), checks them
    against six principles of good networking and tells you whom to contact.

    \b
    Example:
      netzmd check --vault example-vault --today 2026-12-10
    """


# ---------------------------------------------------------------- check

_LEVEL_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


@functools.cache
def _styled_level(level: str) -> str:
    return click.style(level, fg=_LEVEL_COLORS[level])


def format_finding(finding: Finding, color: bool) -> str:
    where = finding.path or "-"
    if finding.line is not None:
        where += f":{finding.line}"
    level = finding.level.label
    shown = _styled_level(level) if color else level
    about = f" [{finding.contact}]" if finding.contact and not finding.path else ""
    return terminal_safe(f"{where}: ") + f"{shown} {finding.rule}:" + terminal_safe(
        f"{about} {finding.message}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--select", multiple=True, metavar="IDS",
              help="Only these rules (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, metavar="IDS",
              help="Skip these rules (comma-separated, repeatable).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]),
              default="warning", show_default=True,
              help="Exit 1 when a finding has at least this level.")
@common_options
@click.pass_context
def check(ctx: click.Context, fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
          fail_on: str) -> None:
    """Run the rules over the vault, like a linter.

    Prints one finding per line as `path:line: level rule: message`. Exit code 0 when
    clean, 1 when a finding reaches --fail-on, 2 on a config or vault error.

    \b
    Examples:
      netzmd check --vault example-vault --today 2026-12-10
      netzmd check --select overdue,no-follow-up --format json
      netzmd check --format github --fail-on error
    """
    from netzmd.findings import Level

    session = open_session(ctx)
    findings = session.findings(_split_ids(select) or None, _split_ids(ignore))
    hold_until_exit(session, findings)
    counts = {level.label: sum(1 for f in findings if f.level is level) for level in Level}
    contacts = len(session.vault.contacts)
    if fmt == "json":
        click.echo(dump_json({
            "version": 1,
            "today": session.today,
            "vault": str(session.vault.root),
            "findings": [
                {"rule": f.rule, "level": f.level.label, "path": f.path, "line": f.line,
                 "contact": f.contact, "message": f.message, "data": f.data}
                for f in findings
            ],
            "summary": {"contacts": contacts, **{k: counts[k] for k in ("error", "warning",
                                                                          "info")}},
        }))
    elif fmt == "github":
        kinds = {"error": "error", "warning": "warning", "info": "notice"}
        lines = []
        for f in findings:
            props = [f"title={_github_escape(f.rule, True)}"]
            if f.path:
                props.insert(0, f"file={_github_escape(f.path, True)}")
                if f.line is not None:
                    props.insert(1, f"line={f.line}")
            lines.append(f"::{kinds[f.level.label]} {','.join(props)}::"
                         f"{_github_escape(f.message)}")
        if lines:
            click.echo("\n".join(lines))  # one write, as for text
    else:
        color = session.state.color
        if findings:
            # One write, not one per finding: a large vault has thousands.
            click.echo("\n".join(format_finding(f, color) for f in findings))
        if not session.state.quiet:
            key = "summary" if findings else "clean"
            click.echo(session.t("ui", key, contacts=contacts, **counts))
    if fail_on != "never":
        threshold = Level.parse(fail_on)
        if any(f.level >= threshold for f in findings):
            ctx.exit(EXIT_FINDINGS)


# ---------------------------------------------------------------- rules


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@common_options
@click.pass_context
def rules_command(ctx: click.Context, fmt: str) -> None:
    """List every rule: id, default level, principle, description and options.

    \b
    Example:
      netzmd rules --lang de
    """
    from netzmd.locale import detect_lang, rule_description
    from netzmd.rules import REGISTRY

    state = _state(ctx)
    lang = detect_lang(state.lang, _configured_lang(state))
    rows: list[dict[str, Any]] = [
        {"id": r.id, "level": r.level.label, "principle": r.principle,
         "description": rule_description(r.id, lang), "options": r.options}
        for r in REGISTRY.values()
    ]
    if fmt == "json":
        click.echo(dump_json(rows))
        return
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        options = ", ".join(f"{k}={v}" for k, v in row["options"].items())
        principle = row["principle"] or "–"
        click.echo(f"{row['id']:<{width}}  {row['level']:<7}  {principle:<3}  "
                   f"{row['description']}" + (f"  [{options}]" if options else ""))


def _configured_lang(state: State) -> str | None:
    """The config's language when a vault is at hand; rules and help work without one."""
    from netzmd.config import ConfigError, load_config
    from netzmd.vault import VaultError, find_root

    try:
        return load_config(find_root(state.vault)).lang
    except (VaultError, ConfigError):
        return None


# ---------------------------------------------------------------- list


LIST_COLUMNS = ("name", "path", "circle", "cadence_days", "last", "days_since", "due", "overdue",
                "interactions", "gives", "takes", "mutual", "personal", "career", "tags", "goals")


def contact_rows(session: Session, contacts: Iterable[Contact]) -> list[dict[str, Any]]:
    from netzmd.relations import contact_row

    window = session.vault.config.window_days
    return [contact_row(c, session.today, window) for c in contacts]


def write_csv(rows: list[dict[str, Any]], columns: Iterable[str]) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    columns = list(columns)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["|".join(v) if isinstance(v := row[c], list | tuple) else
                         (v.isoformat() if isinstance(v, dt.date) else
                          ("" if v is None else v)) for c in columns])


_SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "due": lambda r: (r["due"] is None, r["due"] or dt.date.max, r["name"].casefold()),
    "name": lambda r: r["name"].casefold(),
    "balance": lambda r: (r["gives"] - r["takes"], r["name"].casefold()),
    "last": lambda r: (r["last"] is not None, r["last"] or dt.date.min, r["name"].casefold()),
}


@cli.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--sort", type=click.Choice(list(_SORTS)), default="due", show_default=True,
              help="due: soonest first; balance: most taken first; last: longest ago first.")
@click.option("--circle", type=click.Choice(["key", "regular", "loose"]), help="Only this circle.")
@click.option("--overdue", is_flag=True, help="Only overdue contacts.")
@click.option("--tag", multiple=True, help="Only contacts with this tag (repeatable).")
@common_options
@click.pass_context
def list_command(ctx: click.Context, fmt: str, sort: str, circle: str | None, overdue: bool,
                 tag: tuple[str, ...]) -> None:
    """One row per contact: cadence, last contact, due date, give and take.

    \b
    Examples:
      netzmd list --vault example-vault --today 2026-12-10 --overdue
      netzmd list --circle key --format csv > key-contacts.csv
    """
    session = open_session(ctx)
    wanted_tags = {t.lstrip("#").casefold() for t in tag}
    contacts = [
        c for c in session.vault.contacts
        if c.active and (circle is None or c.circle == circle)
        and (not wanted_tags or wanted_tags & {t.casefold() for t in c.tags})
    ]
    rows = [r for r in contact_rows(session, contacts) if r["overdue"] or not overdue]
    rows.sort(key=_SORTS[sort])
    if fmt == "json":
        click.echo(dump_json(rows))
    elif fmt == "csv":
        write_csv(rows, LIST_COLUMNS)
    else:
        _print_table(session, rows)


def _print_table(session: Session, rows: list[dict[str, Any]]) -> None:
    from netzmd.locale import format_value

    lang = session.lang
    headers = [session.t("table", k) for k in ("name", "circle", "cadence", "last", "due",
                                               "balance")]
    table = [
        [
            terminal_safe(r["name"]),
            session.t("circle", r["circle"]) if r["circle"] else "–",
            str(r["cadence_days"]) if r["cadence_days"] else "–",
            format_value(r["last"], lang),
            format_value(r["due"], lang) + (" !" if r["overdue"] else ""),
            f"+{r['gives']} −{r['takes']}",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h)
              for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in table:
        line = "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        if row[4].endswith("!") and session.state.color:
            line = click.style(line, fg="yellow")
        click.echo(line)


# ---------------------------------------------------------------- goals

_STATUS_COLORS = {"done": "green", "missed": "red", "behind": "yellow"}
BAR_WIDTH = 20


def goal_bar(achieved: int, target: int, width: int = BAR_WIDTH) -> str:
    """`██████░░░░ 2/3`: the share of the target reached (full once the goal is done)."""
    filled = min(width, achieved * width // target) if target else width
    return "█" * filled + "░" * (width - filled) + f" {achieved}/{target}"


@cli.command("goals")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def goals_command(ctx: click.Context, fmt: str) -> None:
    """Progress of every goal: how many contacts count, how many are expected by now, the status.

    A contact belongs to a goal when its `goals` list links it or when it has the goal's
    `match` fields; it counts once it has `min_interactions` interactions since `since`.
    Status: done, on track, behind (fewer than expected by now) or missed (past `by`).

    \b
    Examples:
      netzmd goals --vault example-vault --today 2026-12-10
      netzmd goals --format json
    """
    from netzmd.goals import goal_progress
    from netzmd.locale import format_value

    session = open_session(ctx)
    items = goal_progress(session.vault, session.today)
    if fmt == "json":
        click.echo(dump_json([item.record() for item in items]))
        return
    if not session.vault.goals:
        click.echo(session.t("goal-table", "none", folder=session.vault.config.goals))
        return
    headers = [session.t("goal-table", k) for k in ("title", "progress", "expected", "status",
                                                    "by")]
    table = [
        [
            item.goal.title,
            goal_bar(item.achieved, item.goal.target or 0),
            str(item.expected),
            session.t("goal-status", item.status),
            format_value(item.goal.by, session.lang),
        ]
        for item in items
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h)
              for i, h in enumerate(headers)]
    if table:
        click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for item, row in zip(items, table, strict=True):
        cells = [v.ljust(w) for v, w in zip(row, widths, strict=True)]
        color = _STATUS_COLORS.get(item.status)
        if color and session.state.color:
            cells[3] = click.style(cells[3], fg=color)
        click.echo("  ".join(cells).rstrip())
    shown = {item.goal.path for item in items}
    for goal in session.vault.goals:
        if goal.path not in shown:
            click.echo(session.t("goal-table", "invalid", path=goal.path))


# ---------------------------------------------------------------- reports: digest, report

# What `-o` without a value stands for: the report's default path in the vault.
_DEFAULT_OUTPUT = "\0default"


def _report_options(func: F) -> F:
    options = [
        click.option("--week", metavar="YYYY-Www",
                     help="ISO week, e.g. 2026-W48 (default: this week). Another week is "
                     "computed as of its Monday."),
        click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
                     show_default=True, help="Markdown for Obsidian, or one HTML page."),
        click.option("-o", "--output", metavar="[PATH]", is_flag=False,
                     flag_value=_DEFAULT_OUTPUT, default=None,
                     help="Write to PATH inside the vault instead of printing; -o alone "
                     "writes to the default path. An unchanged file is not rewritten."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _output_target(session: Session, output: str) -> str:
    """A typed PATH (relative to the working folder) as the writer wants it."""
    absolute = Path(os.path.abspath(os.path.expanduser(output)))
    try:
        return absolute.relative_to(session.vault.root).as_posix()
    except ValueError:
        return str(absolute)  # the writer refuses it as outside the vault


def _render_report(ctx: click.Context, name: str, week_text: str | None, fmt: str,
                   output: str | None) -> None:
    from netzmd.digest import default_path, parse_week, render_report
    from netzmd.report import TemplateFailure
    from netzmd.writer import WriteRefused, write_output

    week: tuple[int, int] | None = None
    if week_text is not None:
        try:
            week = parse_week(week_text)
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="'--week'") from None
    session = open_session(ctx)
    try:
        text, week = render_report(session.vault, name, session.today, week, session.lang, fmt)
    except TemplateFailure as err:
        raise Failure(f"netzmd: {err}") from None
    if output is None:
        click.echo(text, nl=False)
        return
    rel = (default_path(session.vault.config, name, fmt, week) if output == _DEFAULT_OUTPUT
           else _output_target(session, output))
    try:
        changed = write_output(session.vault.root, rel, text)
    except WriteRefused as err:
        raise Failure(err.message(session.lang)) from None
    if not session.state.quiet:
        click.echo(session.t("report", "written" if changed else "unchanged", path=rel))


@cli.command("digest")
@_report_options
@common_options
@click.pass_context
def digest_command(ctx: click.Context, week: str | None, fmt: str, output: str | None) -> None:
    """The weekly digest: whom to contact this week and what to offer.

    Sections: this week (ranked, with the reasons and one concrete suggestion each),
    planned steps, birthdays, give and take, goals, last week, the quarter plan and
    data problems. Prints Markdown by default; --format html makes one self-contained
    page with charts. -o alone writes to the config's digest_path
    (default digest/{year}-W{week}.md; .html for --format html). A vault's own
    templates/digest.md.j2 or digest.html.j2 replaces the built-in template.

    \b
    Examples:
      netzmd digest --vault example-vault --today 2026-12-10
      netzmd digest --format html -o
      netzmd digest --week 2026-W48 -o Digest/KW48.md
    """
    _render_report(ctx, "digest", week, fmt, output)


@cli.command("report")
@click.argument("name")
@_report_options
@common_options
@click.pass_context
def report_command(ctx: click.Context, name: str, week: str | None, fmt: str,
                   output: str | None) -> None:
    """Render any report template by NAME: digest, quarter, contacts, or your own.

    `quarter` is the quarterly review, `contacts` the full contact table. Your own
    templates live in the vault's templates/ folder as NAME.md.j2 or NAME.html.j2 and
    get the context described in docs/templates.md. -o alone writes to
    <output folder>/NAME.md (the digest: to its digest_path).

    \b
    Examples:
      netzmd report quarter --vault example-vault --today 2026-12-10
      netzmd report contacts --format html -o Digest/Kontakte.html
      netzmd report birthdays -o          # your templates/birthdays.md.j2
    """
    _render_report(ctx, name, week, fmt, output)


# ---------------------------------------------------------------- show


def pick_contact(session: Session, name: str) -> Contact:
    """NAME as SPEC 2.2 looks it up; none or several: list what was found, exit 2."""
    from netzmd.names import find_contacts

    found = find_contacts(session.vault, name)
    if len(found) == 1:
        return found[0]
    if not found:
        raise Failure(session.t("ui", "no-match", name=name))
    lines = [session.t("ui", "ambiguous", name=name)]
    lines += [terminal_safe(f"  {c.name}  ({c.path})") for c in found]
    raise Failure("\n".join(lines))


def complete_contact(ctx: click.Context, param: click.Parameter, incomplete: str
                     ) -> list[str]:
    """Shell completion for NAME: contacts with a key word starting with what was typed.

    Typed text is folded like NAME itself (`mue` and `mül` complete Müller). This runs on
    every Tab press, so it loads the vault quietly, and any problem (no vault, a broken
    netzmd.toml) means no suggestions rather than a traceback in the user's shell.
    """
    import re

    from netzmd.log import fold
    from netzmd.names import variants
    from netzmd.vault import contact_keys, find_root, load_vault

    try:
        state = ctx.find_object(State)
        vault = load_vault(find_root(state.vault if state else None),
                           cache=state.cache if state else True)
        typed = variants(incomplete.strip())

        def completes(key: str) -> bool:
            return any(k.startswith(q) or any(w.startswith(q) for w in re.split(r"[\s/-]+", k))
                       for k in variants(key) for q in typed)

        names = sorted({c.name for c in vault.contacts if any(map(completes, contact_keys(c)))},
                       key=fold)
    except Exception:
        return []
    program = ctx.find_root().info_name or "netzmd"
    if os.environ.get(f"_{program}_COMPLETE".replace("-", "_").upper(), "").startswith("bash"):
        names = _for_bash(names, incomplete)
    return names


def _for_bash(names: list[str], incomplete: str) -> list[str]:
    """Completions as bash's readline inserts them (zsh and fish quote them themselves).

    Readline inserts a completion as it is: `Dr. Jürgen Müller` would become three
    arguments, so spaces and other shell characters get a backslash. With several
    candidates it replaces the typed word by their common start: `weber` would become
    `Dr.\\ `, and the next Tab would offer every doctor. Offering the typed word too leaves
    no common start, so the word stays and a second Tab lists the names.
    """
    import re

    def escape(text: str) -> str:
        return re.sub(r"([^\w.,:+@%/=-])", r"\\\1", text)

    shown = [escape(name) for name in names]
    typed = escape(incomplete)
    if len(shown) > 1 and not all(text.startswith(typed) for text in shown):
        shown.append(typed)
    # Click's bash script reads each line with `read` (no -r), which eats one level of
    # backslashes: double them so that one arrives.
    return [text.replace("\\", "\\\\") for text in shown]


@cli.command()
@click.argument("name", shell_complete=complete_contact)
@common_options
@click.pass_context
def show(ctx: click.Context, name: str) -> None:
    """One contact: fields, balance, timeline, open tasks and findings.

    NAME may be part of the name or an alias, typed without accents (`muller` or
    `mueller` find Müller).

    \b
    Example:
      netzmd show mueller --vault example-vault --today 2026-12-10
    """
    from netzmd.locale import format_value
    from netzmd.relations import figures

    session = open_session(ctx)
    contact = pick_contact(session, name)
    fig = figures(contact, session.today, session.vault.config.window_days)
    lang = session.lang

    def label(key: str) -> str:
        return session.t("show", key)

    name = terminal_safe(contact.name)
    click.echo(click.style(name, bold=True) if session.state.color else name)
    _echo_safe(contact.path)
    click.echo()
    for key in ("role", "organisation", "specialty", "circle", "met_at", "sector", "email",
                "phone"):
        value = getattr(contact, key, None) or contact.fields.get(key)
        if value:
            if key == "circle":
                value = session.t("circle", value)
            _echo_safe(f"  {label(key):<14} {format_value(value, lang)}")
    if contact.birthday:
        _echo_safe(f"  {label('birthday'):<14} {contact.birthday.iso()}")
    if contact.interests:
        _echo_safe(f"  {label('interests'):<14} {', '.join(contact.interests)}")
    click.echo()
    cadence = str(fig.cadence_days) if fig.cadence_days else "–"
    _echo_safe(f"  {label('cadence'):<14} {cadence}")
    _echo_safe(f"  {label('last'):<14} {format_value(fig.last, lang)}"
               + (f" ({fig.days_since} {label('days')})" if fig.days_since is not None else ""))
    _echo_safe(f"  {label('due'):<14} {format_value(fig.due, lang)}"
               + (f"  {label('overdue')}" if fig.overdue else ""))
    _echo_safe(f"  {label('balance'):<14} " + session.t(
        "show", "balance-line", gives=fig.gives, takes=fig.takes, mutual=fig.mutual,
        personal=fig.personal, career=fig.career, interactions=fig.interactions))
    click.echo()
    _echo_safe(label("timeline"))
    past = [i for i in contact.interactions if i.date <= session.today]
    for item in reversed(past[-20:]):
        marks = session.t("direction", item.direction)
        _echo_safe(f"  {format_value(item.date, lang)}  {marks:<8} {item.text}")
    if not past:
        _echo_safe(f"  {label('none')}")
    if contact.tasks:
        click.echo()
        _echo_safe(label("tasks"))
        for task in contact.tasks:
            _echo_safe(f"  [ ] {format_value(task.due, lang)}  {task.text}")
    findings = [f for f in session.findings() if f.contact == contact.name]
    if findings:
        click.echo()
        _echo_safe(label("findings"))
        for f in findings:
            click.echo(f"  {format_finding(f, session.state.color)}")  # already safe


# ---------------------------------------------------------------- export


@cli.group()
def export() -> None:
    """Data for other tools: JSON, CSV, and a calendar file (ics) for your calendar app.

    \b
    Examples:
      netzmd export json --vault example-vault --today 2026-12-10 > contacts.json
      netzmd export ics --vault example-vault -o ~/netzmd.ics
    """


@export.command("json")
@common_options
@click.pass_context
def export_json(ctx: click.Context) -> None:
    """Every contact with its figures, fields and all interactions, as JSON (SPEC 4.1).

    \b
    Example:
      netzmd export json --vault example-vault --today 2026-12-10 > contacts.json
    """
    from netzmd.relations import export_record

    session = open_session(ctx)
    window = session.vault.config.window_days
    click.echo(dump_json([export_record(c, session.today, window)
                          for c in session.vault.contacts]))


@export.command("csv")
@common_options
@click.pass_context
def export_csv(ctx: click.Context) -> None:
    """The `list` columns for every active contact, as CSV (lists joined with `|`).

    \b
    Example:
      netzmd export csv --vault example-vault --today 2026-12-10 > contacts.csv
    """
    session = open_session(ctx)
    rows = contact_rows(session, [c for c in session.vault.contacts if c.active])
    write_csv(rows, LIST_COLUMNS)


@export.command("ics")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the calendar to this file (default: print it).")
@common_options
@click.pass_context
def export_ics(ctx: click.Context, output: Path | None) -> None:
    """Reminders for your calendar app: due contacts, birthdays and planned steps (iCalendar).

    Re-export to update: every event keeps its UID, so calendars update instead of
    duplicating. See docs/import-export.md for subscribing.

    \b
    Example:
      netzmd export ics --vault example-vault --today 2026-12-10 -o ~/netzmd.ics
    """
    from netzmd.io.ics import build_calendar, write_calendar
    from netzmd.writer import WriteRefused

    session = open_session(ctx)
    data = build_calendar(session.vault, session.today, session.lang)
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        write_calendar(output, data)
    except WriteRefused as err:
        raise Failure(err.message(session.lang)) from None


# ---------------------------------------------------------------- import


@cli.group("import")
def import_group() -> None:
    """Create contact files from LinkedIn's Connections.csv or a vCard file.

    People already in the vault (same LinkedIn profile, e-mail or name) are skipped;
    nothing is ever overwritten. Try --dry-run first.

    \b
    Example:
      netzmd import linkedin Connections.csv --dry-run
    """


def _import(ctx: click.Context, kind: str, file: Path, dry_run: bool, fmt: str) -> None:
    from netzmd.io import SourceError, linkedin, vcard
    from netzmd.io.importer import format_text, run_import

    session = open_session(ctx)
    reader = linkedin if kind == "linkedin" else vcard
    shown = file.as_posix()
    try:
        source = reader.load(file)
    except SourceError as err:
        raise Failure(session.t("import", err.key, **{"file": shown, **err.values})) from None
    with progress_bar_for(ctx, session.lang, "import") as progress:
        outcome = run_import(session.vault, source, dry_run=dry_run, progress=progress)
    if fmt == "json":
        click.echo(dump_json(outcome.as_json()))
    else:
        for line in format_text(outcome, shown, session.lang, dry_run, session.state.quiet):
            click.echo(line)
    for _, refusal in outcome.refused:
        click.echo(refusal.message(session.lang), err=True)
    if outcome.refused:
        ctx.exit(EXIT_USAGE)


_IMPORT_OPTIONS = [
    click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--dry-run", is_flag=True, help="Show what would be created; write nothing."),
    click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                 show_default=True, help="Summary format."),
]


def _import_options(func: F) -> F:
    for option in reversed(_IMPORT_OPTIONS):
        func = option(func)
    return func


@import_group.command("linkedin")
@_import_options
@common_options
@click.pass_context
def import_linkedin(ctx: click.Context, file: Path, dry_run: bool, fmt: str) -> None:
    """One contact per LinkedIn connection (Connections.csv from "Get a copy of your data").

    Each file gets name, organisation, role, e-mail, LinkedIn URL, `met` (Connected On)
    and `circle: loose`.

    \b
    Example:
      netzmd import linkedin ~/Downloads/Connections.csv --dry-run
    """
    _import(ctx, "linkedin", file, dry_run, fmt)


@import_group.command("vcard")
@_import_options
@common_options
@click.pass_context
def import_vcard(ctx: click.Context, file: Path, dry_run: bool, fmt: str) -> None:
    """One contact per card of a vCard file (3.0 or 4.0, as phones and mail programs export).

    A card that cannot be read is reported with its position; the others are imported.

    \b
    Example:
      netzmd import vcard ~/Downloads/Kontakte.vcf --format json
    """
    _import(ctx, "vcard", file, dry_run, fmt)


# ---------------------------------------------------------------- writing: log, new, init


def _user_date(value: str, lang: str) -> dt.date:
    """A date typed on the command line: YYYY-MM-DD or DD.MM.YYYY, and a real one."""
    import re

    text = value.strip()
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return dt.date.fromisoformat(text)
        german = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text)
        if german:
            day, month, year = (int(g) for g in german.groups())
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise Failure(_wt(lang, "bad-date", value=value))


def _wt(lang: str, key: str, **values: Any) -> str:
    """A message of the `writes` catalogue, for commands that run without a vault."""
    from netzmd.locale import t

    return t("writes", key, lang, **values)


@cli.command("log")
@click.argument("name", shell_complete=complete_contact)
@click.argument("kind")
@click.argument("text", nargs=-1, required=True)
@click.option("--date", "date_text", metavar="DATE",
              help="Date of the entry: YYYY-MM-DD or DD.MM.YYYY (default: today).")
@click.option("--tag", "tags", multiple=True, help="Add #TAG to the entry (repeatable).")
@common_options
@click.pass_context
def log_command(ctx: click.Context, name: str, kind: str, text: tuple[str, ...],
                date_text: str | None, tags: tuple[str, ...]) -> None:
    """Add one entry to a contact's log: `- DATE KIND: TEXT #tags`.

    NAME is looked up as in `show`. The line goes right after the last entry of the
    contact's file (or under a new `## Log` heading at its end); no other byte of the
    file changes. KIND is one word, such as met, gave, took or call; the words of
    TEXT are joined with spaces, and line breaks in it become spaces.

    \b
    Examples:
      netzmd log mueller gave "Paper zur Leitlinie geschickt" --tag fachlich
      netzmd log keller treffen Frühstück nach der Tagung --date 27.11.2026 --tag persönlich
    """
    from netzmd.writer import (
        WriteRefused,
        add_entry,
        format_entry,
        read_snapshot,
        replace_checked,
        safe_target,
    )

    session = open_session(ctx)
    date = _user_date(date_text, session.lang) if date_text else session.today
    contact = pick_contact(session, name)
    root = session.vault.root
    try:
        entry = format_entry(date, kind, " ".join(text), tags)
        path = safe_target(root, contact.path)
        snapshot = read_snapshot(path, contact.path)
        inserted = add_entry(snapshot.data, entry, contact.path)
        replace_checked(path, snapshot, inserted.data, contact.path)
    except WriteRefused as err:
        raise Failure(err.message(session.lang)) from None
    click.echo(session.t("writes", "logged", path=contact.path, line=inserted.line,
                         entry=inserted.entry))
    if date > session.today:
        click.echo(session.t("writes", "future", date=date, today=session.today), err=True)


@cli.command("new")
@click.argument("name")
@click.option("--circle", type=click.Choice(["key", "regular", "loose"]),
              help="How close: key, regular or loose.")
@click.option("--role", help="E.g. Oberärztin, Pflegefachperson.")
@click.option("--organisation", help="Hospital, practice, company.")
@click.option("--specialty", help="E.g. Nephrologie.")
@click.option("--cadence", help="How often to be in touch: quarterly, 6w, 45d, ...")
@click.option("--met", "met_text", metavar="DATE", help="First meeting: YYYY-MM-DD or DD.MM.YYYY.")
@click.option("--met-at", help="Where you met, e.g. a congress.")
@click.option("--email", help="E-mail address.")
@click.option("--phone", help="Phone number.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@common_options
@click.pass_context
def new_command(ctx: click.Context, name: str, circle: str | None, role: str | None,
                organisation: str | None, specialty: str | None, cadence: str | None,
                met_text: str | None, met_at: str | None, email: str | None,
                phone: str | None, tags: tuple[str, ...]) -> None:
    """Create a contact file from the `contact` template; never overwrites.

    The file is `<contacts folder>/NAME.md`; umlauts stay, characters that no file
    name may hold (/ \\ : * ? " < > |) are dropped. A vault's own
    `templates/contact.md.j2` replaces the built-in template.

    \b
    Example:
      netzmd new "Dr. Jürgen Müller" --circle key --specialty Nephrologie --met 14.03.2026
    """
    from netzmd.cadence import parse_cadence
    from netzmd.log import fold
    from netzmd.report import TemplateFailure, render
    from netzmd.vault import contact_keys, parse_note
    from netzmd.writer import WriteRefused, clean_text, contact_context, create, safe_filename

    session = open_session(ctx)
    vault = session.vault
    try:
        display = clean_text(name)
        stem = safe_filename(display)
        tag_list = tuple(t for t in (clean_text(tag).lstrip("#") for tag in tags) if t)
    except WriteRefused as err:
        raise Failure(err.message(session.lang)) from None
    if cadence is not None:
        try:
            parse_cadence(cadence)
        except ValueError:
            raise Failure(session.t("writes", "bad-cadence", value=cadence)) from None
    met = _user_date(met_text, session.lang) if met_text else None
    wanted = {fold(display), fold(stem)}
    for contact in vault.contacts:
        if wanted & {fold(key) for key in contact_keys(contact)}:
            raise Failure(session.t("writes", "contact-exists", name=display, path=contact.path))
    folder = vault.config.contacts.strip().strip("/")
    rel = f"{stem}.md" if folder in ("", ".") else f"{folder}/{stem}.md"
    fields: dict[str, Any] = {
        "role": role, "organisation": organisation, "specialty": specialty, "circle": circle,
        "cadence": cadence, "met": met, "met_at": met_at, "email": email, "phone": phone,
        "tags": tag_list,
    }
    context = contact_context(display, fields, session.today, session.lang)
    try:
        text = render(vault.root, "contact", context, "md")
    except TemplateFailure as err:
        raise Failure(str(err)) from None
    problem = next((f for f in parse_note(rel, text.encode("utf-8")).findings
                    if f.rule == "yaml-error"), None)
    if problem is not None:
        raise Failure(session.t("writes", "bad-template", line=problem.line,
                                error=problem.data["error"]))
    try:
        create(vault.root, rel, text)
    except WriteRefused as err:
        raise Failure(err.message(session.lang)) from None
    click.echo(session.t("writes", "created", path=rel))


@cli.command("init")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@common_options
@click.pass_context
def init_command(ctx: click.Context, path: str | None) -> None:
    """Make a new vault: a commented netzmd.toml, the folders, an example contact and goal.

    PATH defaults to --vault, else the current folder; it may exist (an Obsidian vault,
    say). Nothing is overwritten: if any file would be, nothing is written at all.
    `.obsidian/` is never touched. --lang chooses the language of the files.

    \b
    Examples:
      netzmd init Netzwerk --lang de
      netzmd init ~/notes/network --lang en
    """
    from pathlib import Path

    from netzmd.locale import detect_lang
    from netzmd.writer import WriteRefused, create_vault, scaffold

    state = _state(ctx)
    lang = detect_lang(state.lang, None)
    shown = path or state.vault or "."
    root = Path(shown).expanduser()
    try:
        existing, created = create_vault(root, scaffold(lang, state.resolve_today()))
    except WriteRefused as err:
        raise Failure(err.message(lang)) from None
    if existing:
        lines = [_wt(lang, "init-exists", path=rel) for rel in existing]
        raise Failure("\n".join([*lines, _wt(lang, "init-refused")]))
    for rel in created:
        click.echo(_wt(lang, "created", path=rel))
    click.echo(_wt(lang, "init-done", path=shown))


# ---------------------------------------------------------------- doctor

_CHECK_COLORS = {"ok": "green", "warn": "yellow", "fail": "red"}


@cli.command("doctor")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def doctor_command(ctx: click.Context, fmt: str) -> None:
    """Check the set-up: which vault and why, config, notes, YAML speed, cache, inotify, templates.

    Exit code 0 when all is well, 1 when there is advice to follow, 2 when no vault is
    found (doctor then explains how netzmd looks for one) or netzmd.toml is broken.

    \b
    Examples:
      netzmd doctor
      netzmd doctor --vault example-vault --lang de
    """
    from netzmd.doctor import diagnose
    from netzmd.locale import t

    state = _state(ctx)
    diagnosis = diagnose(state.vault, state.lang, cache=state.cache)
    if fmt == "json":
        click.echo(dump_json({
            "version": 1,
            "status": diagnosis.status,
            "checks": [{"name": c.name, "status": c.status, "text": c.text, "hint": c.hint or None}
                       for c in diagnosis.checks],
        }))
        ctx.exit(diagnosis.exit_code)

    def say(key: str) -> str:
        return t("doctor", key, diagnosis.lang)

    labels = {c.name: say(f"name-{c.name}") for c in diagnosis.checks}
    statuses = {status: say(status) for status in _CHECK_COLORS}
    name_width = max(map(len, labels.values()))
    status_width = max(map(len, statuses.values()))
    indent = " " * (status_width + name_width + 4)
    for check in diagnosis.checks:
        status = statuses[check.status].ljust(status_width)
        if state.color:
            status = click.style(status, fg=_CHECK_COLORS[check.status])
        click.echo(f"{status}  {labels[check.name].ljust(name_width)}  {check.text}")
        for line in check.hint.splitlines():
            click.echo(f"{indent}{line}".rstrip())
    if not state.quiet:
        summary = {"ok": "all-ok", "warn": "some-warn", "fail": "some-fail"}[diagnosis.status]
        click.echo(say(summary))
    ctx.exit(diagnosis.exit_code)


# ---------------------------------------------------------------- watch


@cli.command("watch")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
              show_default=True, help="Markdown for Obsidian, or one HTML page.")
@click.option("-o", "--output", metavar="[PATH]", is_flag=False, flag_value=_DEFAULT_OUTPUT,
              default=None, help="Write to PATH inside the vault (default, and -o alone: "
              "the config's digest_path, a new file each week).")
@click.option("--debounce", type=click.FloatRange(0, 60), default=0.5, show_default=True,
              metavar="SECONDS", help="Render once changes have settled for this long.")
@click.option("--poll", is_flag=True, help="Poll for changes instead of file system events "
              "(network drives, containers).")
@common_options
@click.pass_context
def watch_command(ctx: click.Context, fmt: str, output: str | None, debounce: float,
                  poll: bool) -> None:
    """Keep the weekly digest current while you edit the vault.

    Renders the digest once, then again whenever notes, netzmd.toml or your templates
    change (once the changes have settled), and after midnight; on Monday it starts the
    new week's file. One line per render: time, what changed, findings, milliseconds.
    An unchanged digest is not rewritten. Ctrl-C stops (exit 0). See docs/watch.md for
    running it as a background service.

    \b
    Examples:
      netzmd watch --vault ~/Notizen
      netzmd watch --format html -o Digest/digest.html
      netzmd watch --poll --debounce 2
    """
    import signal

    from netzmd.config import ConfigError, load_config
    from netzmd.locale import detect_lang, t
    from netzmd.vault import VaultError, find_root
    from netzmd.watch import Watcher, WatchFailure

    state = _state(ctx)
    fixed = (state.resolve_today()
             if state.today is not None or os.environ.get("NETZMD_TODAY") else None)
    try:
        root = find_root(state.vault)
        config = load_config(root)
    except VaultError as err:
        raise Failure(f"netzmd: {err}") from None
    except ConfigError as err:
        raise Failure(f"netzmd: netzmd.toml: {err}") from None
    rel = None
    if output not in (None, _DEFAULT_OUTPUT):
        absolute = Path(os.path.abspath(os.path.expanduser(output)))
        try:
            rel = absolute.relative_to(root).as_posix()
        except ValueError:
            rel = str(absolute)  # the writer refuses it as outside the vault
    with progress_bar_for(ctx, detect_lang(state.lang, config.lang)) as progress:
        watcher = Watcher(root, output=rel, config=config, fmt=fmt, today=fixed,
                          lang=state.lang, debounce=debounce, poll=poll, echo=click.echo,
                          warn=lambda line: click.echo(line, err=True), quiet=state.quiet,
                          cache=state.cache, progress=progress)

        def stop(signum: int, frame: Any) -> None:
            watcher.stop_from_signal()

        # Both signals only ask the loop to stop: a write in progress finishes first.
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            watcher.run()
        except WatchFailure as err:
            raise Failure(f"netzmd: {err}") from None
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if not state.quiet:
        click.echo(t("watch", "stopped", detect_lang(state.lang, watcher.config.lang)))


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point (`netzmd`, `python -m netzmd`).

    Without argv it runs as the process itself: after a command that held its vault
    (hold_until_exit), the process ends with os._exit once the output is flushed.
    """
    global _held
    if argv is None:
        _held = []
    try:
        cli.main(args=argv, prog_name="netzmd")
    except SystemExit as stop:
        code = stop.code
        if _held and (code is None or isinstance(code, int)) and _nothing_left():
            os._exit(code or 0)
        raise
    raise SystemExit(0)  # pragma: no cover - cli.main always exits
