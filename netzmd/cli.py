"""The command line: parse options, call the core, format, exit. No domain logic here.

Heavy modules are imported inside the commands: `netzmd --help` must start fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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

    def resolve_today(self) -> dt.date:
        if self.today is not None:
            return self.today
        env = os.environ.get("NETZMD_TODAY")
        if env:
            try:
                return dt.date.fromisoformat(env)
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


def _parse_today(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


def common_options(func: F) -> F:
    """--vault, --today, --lang, --no-color, -q: accepted before and after the command name."""
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


def open_session(ctx: click.Context) -> Session:
    from netzmd.config import ConfigError
    from netzmd.locale import detect_lang
    from netzmd.vault import VaultError, find_root, load_vault

    state = _state(ctx)
    today = state.resolve_today()
    try:
        root = find_root(state.vault)
        vault = load_vault(root)
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


def format_finding(finding: Finding, color: bool) -> str:
    where = finding.path or "-"
    if finding.line is not None:
        where += f":{finding.line}"
    level = finding.level.label
    shown = click.style(level, fg=_LEVEL_COLORS[level]) if color else level
    about = f" [{finding.contact}]" if finding.contact and not finding.path else ""
    return f"{where}: {shown} {finding.rule}:{about} {finding.message}"


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
        for f in findings:
            props = [f"title={_github_escape(f.rule, True)}"]
            if f.path:
                props.insert(0, f"file={_github_escape(f.path, True)}")
                if f.line is not None:
                    props.insert(1, f"line={f.line}")
            click.echo(f"::{kinds[f.level.label]} {','.join(props)}::{_github_escape(f.message)}")
    else:
        color = session.state.color
        for f in findings:
            click.echo(format_finding(f, color))
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
            r["name"],
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
    lines += [f"  {c.name}  ({c.path})" for c in found]
    raise Failure("\n".join(lines))


@cli.command()
@click.argument("name")
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

    click.echo(click.style(contact.name, bold=True) if session.state.color else contact.name)
    click.echo(contact.path)
    click.echo()
    for key in ("role", "organisation", "specialty", "circle", "met_at", "sector", "email",
                "phone"):
        value = getattr(contact, key, None) or contact.fields.get(key)
        if value:
            if key == "circle":
                value = session.t("circle", value)
            click.echo(f"  {label(key):<14} {format_value(value, lang)}")
    if contact.birthday:
        click.echo(f"  {label('birthday'):<14} {contact.birthday.iso()}")
    if contact.interests:
        click.echo(f"  {label('interests'):<14} {', '.join(contact.interests)}")
    click.echo()
    cadence = str(fig.cadence_days) if fig.cadence_days else "–"
    click.echo(f"  {label('cadence'):<14} {cadence}")
    click.echo(f"  {label('last'):<14} {format_value(fig.last, lang)}"
               + (f" ({fig.days_since} {label('days')})" if fig.days_since is not None else ""))
    click.echo(f"  {label('due'):<14} {format_value(fig.due, lang)}"
               + (f"  {label('overdue')}" if fig.overdue else ""))
    click.echo(f"  {label('balance'):<14} " + session.t(
        "show", "balance-line", gives=fig.gives, takes=fig.takes, mutual=fig.mutual,
        personal=fig.personal, career=fig.career, interactions=fig.interactions))
    click.echo()
    click.echo(label("timeline"))
    past = [i for i in contact.interactions if i.date <= session.today]
    for item in reversed(past[-20:]):
        marks = session.t("direction", item.direction)
        click.echo(f"  {format_value(item.date, lang)}  {marks:<8} {item.text}")
    if not past:
        click.echo(f"  {label('none')}")
    if contact.tasks:
        click.echo()
        click.echo(label("tasks"))
        for task in contact.tasks:
            click.echo(f"  [ ] {format_value(task.due, lang)}  {task.text}")
    findings = [f for f in session.findings() if f.contact == contact.name]
    if findings:
        click.echo()
        click.echo(label("findings"))
        for f in findings:
            click.echo(f"  {format_finding(f, session.state.color)}")


# ---------------------------------------------------------------- export


@cli.group()
def export() -> None:
    """Data for other tools: JSON, CSV (and calendars).

    \b
    Example:
      netzmd export json --vault example-vault --today 2026-12-10 > contacts.json
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


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point."""
    cli.main(args=argv, prog_name="netzmd")
    raise SystemExit(0)  # pragma: no cover - cli.main always exits
