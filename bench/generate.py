"""Generate a synthetic netzmd vault for the benchmark (deterministic for a given seed).

    python bench/generate.py bench/out/vault            # 10,000 contacts, 2,000 journal notes
    python bench/generate.py /tmp/v --contacts 500 --journal 100

The vault looks like a German clinician's: contacts with umlauts in their names, roles,
circles, birthdays, tags and phone numbers with a leading zero; ten log entries per
contact in every date notation the grammar knows; dated journal notes that link
contacts. Nothing but the standard library is used, so it runs before `pip install`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

SEED = 20261210
TODAY = dt.date(2026, 12, 10)

FIRST = (
    "Anna", "Jörg", "Jürgen", "Björn", "Sören", "Käthe", "Günther", "Bärbel", "Hülya", "Özlem",
    "Mehmet", "Lena", "Felix", "Friederike", "Heinz", "Birgit", "Christian", "Sabine",
    "Thomas", "Ursula", "Klaus", "Monika", "Stefan", "Petra", "Andreas", "Susanne", "Michael",
    "Claudia", "Matthias", "Katrin", "Tobias", "Julia", "Sebastian", "Lea", "Jonas", "Marie",
    "Lukas", "Sophie", "Maximilian", "Hannah", "Elif", "Ayşe", "Zoë", "André", "Renée",
    "Gökhan", "Dörte", "Uwe", "Gisela", "Wolfgang", "Henrike", "Malte", "Frauke", "Ole",
)
LAST = (
    "Müller", "Schröder", "Groß", "Weiß", "Köhler", "Böhm", "Krüger", "Jäger", "Günther",
    "Schäfer", "Rößler", "Brückner", "Keller", "Hahn", "Weber", "Albrecht", "Becker",
    "Schulz", "Hoffmann", "Koch", "Richter", "Wolf", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter",
    "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß",
    "Jung", "Hahn", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler",
    "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon",
    "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer", "Vogt", "Stein",
    "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber",
    "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl", "Engel", "Horn",
    "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer", "Aydın",
    "Yılmaz", "Öztürk", "Çelik", "Nguyễn", "Kowalski", "Nowak", "Dąbrowski",
)
TITLES = ("", "", "", "Dr. ", "Dr. med. ", "Prof. Dr. ")
ROLES = (
    "Oberärztin", "Oberarzt", "Chefärztin", "Chefarzt", "Assistenzärztin", "Fachärztin",
    "Pflegefachperson", "Stationsleitung", "Pflegedirektorin", "Medizintechnik",
    "Leitung Qualitätsmanagement", "Praxisinhaberin", "Niedergelassener Internist",
    "Studienkoordinatorin", "Außendienst", "Berater Heilberufe", "Geschäftsführung",
)
ORGANISATIONS = (
    "Klinikum Talheim", "Universitätsklinikum Südwest", "St. Elisabeth-Krankenhaus",
    "Praxis am Münsterplatz", "MVZ Rheinaue", "Kreiskrankenhaus Überlingen",
    "Dialysezentrum Nord", "Medizintechnik Schäfer GmbH", "Heilberufe-Bank Südwest",
    "Ärztekammer Baden-Württemberg", "Pharma Süd AG", "Hochschule für Gesundheit",
)
SPECIALTIES = (
    "Nephrologie", "Kardiologie", "Innere Medizin", "Allgemeinmedizin", "Anästhesie",
    "Intensivmedizin", "Geriatrie", "Pneumologie", "Gastroenterologie", "Neurologie",
    "Pädiatrie", "Radiologie", "Chirurgie", "Psychiatrie", "Dermatologie",
)
CIRCLES = ("key", "regular", "regular", "loose", "loose", "loose")
CADENCES = ("monthly", "quarterly", "vierteljährlich", "6w", "halbjährlich", "45d", "yearly")
SECTORS = ("clinical", "clinical", "clinical", "industry", "academia", "admin", "Finanzen")
INTERESTS = (
    "Radfahren", "Chor", "Bergwandern", "Segeln", "Jazz", "Kochen", "Fußball", "Lesen",
    "Schach", "Gärtnern", "Fotografie", "Triathlon", "Klavier", "Skifahren", "Töpfern",
)
TAGS = (
    "kongress", "fachlich", "forschung", "praxisnachfolge", "lehre", "station", "dialyse",
    "leitlinie", "qualität", "mentoring", "verbände", "fortbildung",
)
MET_AT = (
    "DGfN-Kongress Berlin", "Fortbildung Ärztekammer", "Fallkonferenz Klinikum Talheim",
    "Qualitätszirkel Nephrologie", "Vorgestellt von Dr. Albrecht", "Sommerfest der Klinik",
)
GOALS = (
    ("Drei Kolleg:innen aus der Nephrologie kennenlernen", "Nephrologie"),
    ("Praxisnachfolge vorbereiten", None),
    ("Forschungskontakte ausbauen", None),
    ("Pflege und Ärzteschaft besser vernetzen", None),
    ("Mentorin für die Facharztprüfung finden", "Innere Medizin"),
)
KINDS = (
    None, None, "met", "mail", "call", "treffen", "gave", "took", "asked", "austausch",
    "telefonat", "visite",
)
LOG_TEXT = (
    "Kurzes Gespräch auf dem Flur über die neue Leitlinie",
    "Paper zur Studie per E-Mail geschickt",
    "Zweitmeinung zu einem EKG erbeten",
    "Frühstück nach der Tagung, über Radfahren gesprochen",
    "Einladung zur Fallbesprechung geschickt",
    "Telefonat wegen der Arbeitsgruppe Qualitätssicherung",
    "Gemeinsam die Morbiditätskonferenz vorbereitet",
    "Hat mir die Unterlagen für die Praxisübernahme gegeben",
    "Glückwünsche zur Beförderung übermittelt",
    "Über Schichtpläne und Personalschlüssel gesprochen",
    "Vortrag über Dialysezugänge gehört, danach kurz ausgetauscht",
    "Hat mich für das Mentoring-Programm empfohlen",
)
LOG_TAGS = (
    "", "", "", "#fachlich", "#persönlich", "#geben", "#nehmen", "#karriere", "#austausch",
    "#kongress", "#privat", "#fachlich #geben",
)
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)


def contact_names(rng: random.Random, count: int) -> list[str]:
    """Unique display names; collisions get a second first name, as real people have."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        name = f"{rng.choice(TITLES)}{first} {last}"
        if name.casefold() in seen:
            second = rng.choice([f for f in FIRST if f != first])
            name = f"{rng.choice(TITLES)}{first} {second} {last}"
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        names.append(name)
    return names


def _date_text(rng: random.Random, date: dt.date) -> str:
    style = rng.random()
    if style < 0.7:
        return date.isoformat()
    if style < 0.9:
        return f"{date.day:02d}.{date.month:02d}.{date.year}"
    return f"[[{date.isoformat()}]]"


def _phone(rng: random.Random) -> str:
    return "0" + "".join(rng.choice("0123456789") for _ in range(rng.randint(9, 11)))


def _slug(name: str) -> str:
    last = name.split()[-1]
    return (
        last.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    )


def contact_note(
    rng: random.Random, name: str, names: list[str], keys: set[str], entries: int
) -> str:
    """One contact file: front matter, a short paragraph, a log of `entries` items.

    `keys` holds every name and alias handed out (casefolded): an alias is only given
    when no other contact claims it, so the vault has no accidental duplicates.
    """
    first_name = name.replace("Prof. ", "").replace("Dr. med. ", "").replace("Dr. ", "")
    met = TODAY - dt.timedelta(days=rng.randint(30, 6 * 365))
    lines = ["---", f"name: {name}"]
    if first_name != name and first_name.casefold() not in keys and rng.random() < 0.6:
        keys.add(first_name.casefold())
        lines.append(f"aliases: [{first_name}]")
    lines.append(f"role: {rng.choice(ROLES)}")
    lines.append(f"organisation: {rng.choice(ORGANISATIONS)}")
    if rng.random() < 0.7:
        lines.append(f"specialty: {rng.choice(SPECIALTIES)}")
    lines.append(f"circle: {rng.choice(CIRCLES)}")
    if rng.random() < 0.2:
        lines.append(f"cadence: {rng.choice(CADENCES)}")
    lines.append(f"met: {met.isoformat()}")
    lines.append(f"met_at: {rng.choice(MET_AT)}")
    if rng.random() < 0.6:
        birthday = dt.date(rng.randint(1950, 1998), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.5:
            lines.append(f"birthday: {birthday.isoformat()}")
        else:
            lines.append(f'birthday: "{birthday:--%m-%d}"')
    if rng.random() < 0.5:
        chosen = rng.sample(INTERESTS, rng.randint(1, 3))
        lines.append("interests:")
        lines.extend(f"  - {interest}" for interest in chosen)
    if rng.random() < 0.15:
        goal = rng.choice(GOALS)[0]
        lines.append(f'goals: ["[[{goal}]]"]')
    lines.append(f"sector: {rng.choice(SECTORS)}")
    if rng.random() < 0.05:
        lines.append("status: archived")
    if rng.random() < 0.03:
        lines.append(f"snooze_until: {(TODAY + dt.timedelta(days=rng.randint(1, 90))).isoformat()}")
    lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
    lines.append(f"email: {_slug(name)}.{rng.randint(1, 999)}@klinik.example")
    lines.append(f"phone: {_phone(rng)}")
    lines.append("---")
    lines.append("")
    lines.append(
        f"{rng.choice(ROLES)} im Haus, zuständig für {rng.choice(SPECIALTIES)}. "
        f"Kennengelernt über {rng.choice(MET_AT)}."
    )
    lines.append("")
    lines.append("## Log")
    lines.append("")
    dates = sorted(met + dt.timedelta(days=rng.randint(0, (TODAY - met).days + 5))
                   for _ in range(entries))
    for number, date in enumerate(dates):
        kind = "met" if number == 0 else rng.choice(KINDS)
        text = rng.choice(LOG_TEXT)
        if rng.random() < 0.15:
            text += f", mit [[{rng.choice(names)}]]"
        tags = rng.choice(LOG_TAGS)
        box = "[x] " if rng.random() < 0.05 else ""
        head = f"- {box}{_date_text(rng, date)}"
        if kind:
            head += f" {kind}:"
        lines.append(f"{head} {text} {tags}".rstrip())
    if rng.random() < 0.3:
        due = TODAY + dt.timedelta(days=rng.randint(-30, 60))
        if rng.random() < 0.5:
            lines.append(f"- [ ] {due.isoformat()} Rückruf wegen {rng.choice(TAGS)}")
        else:
            lines.append(f"- [ ] Unterlagen schicken 📅 {due.isoformat()}")
    lines.append("")
    return "\n".join(lines)


def journal_note(rng: random.Random, date: dt.date, names: list[str]) -> str:
    """A dated journal note: a heading, prose lines that link contacts, sometimes an entry."""
    lines = [
        f"# {WEEKDAYS[date.weekday()]}, {date.day}. {MONTHS[date.month - 1]} {date.year}",
        "",
        "Dienst auf Station, danach Fallkonferenz.",
        "",
    ]
    for _ in range(rng.randint(1, 4)):
        who = rng.choice(names)
        tags = rng.choice(LOG_TAGS)
        lines.append(f"Mit [[{who}]] über {rng.choice(LOG_TEXT).lower()} {tags}".rstrip())
        lines.append("")
    if rng.random() < 0.3:
        lines.append(
            f"- {date.isoformat()} treffen: Fallbesprechung mit [[{rng.choice(names)}]] "
            f"und [[{rng.choice(names)}]] #fachlich"
        )
    lines.append("")
    return "\n".join(lines)


def goal_note(title: str, specialty: str | None) -> str:
    lines = ["---", f"title: {title}", "target: 5", "since: 2026-01-01", "by: 2027-06-30",
             "min_interactions: 2"]
    if specialty:
        lines += ["match:", f"  specialty: {specialty}"]
    lines += ["---", "", "Warum mir das wichtig ist: ein Netzwerk, das trägt.", ""]
    return "\n".join(lines)


CONFIG = """\
lang = "de"
contacts = "Kontakte"
goals = "Ziele"
output = "Digest"
"""


def generate(root: Path, contacts: int = 10_000, journal: int = 2_000, entries: int = 10,
             seed: int = SEED) -> int:
    """Write the vault under root (replacing it); return the number of notes written."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    for folder in ("Kontakte", "Ziele", "Journal", "Digest"):
        (root / folder).mkdir(parents=True)
    (root / "netzmd.toml").write_text(CONFIG, encoding="utf-8")
    names = contact_names(rng, contacts)
    keys = {name.casefold() for name in names}
    for name in names:
        # File names cannot hold '/', and a few systems dislike ':'; names here have neither.
        text = contact_note(rng, name, names, keys, entries)
        (root / "Kontakte" / f"{name}.md").write_text(text, encoding="utf-8")
    start = TODAY - dt.timedelta(days=journal - 1)
    for day in range(journal):
        date = start + dt.timedelta(days=day)
        (root / "Journal" / f"{date.isoformat()}.md").write_text(
            journal_note(rng, date, names), encoding="utf-8"
        )
    for title, specialty in GOALS:
        (root / "Ziele" / f"{title}.md").write_text(goal_note(title, specialty),
                                                     encoding="utf-8")
    return contacts + journal + len(GOALS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder to create (replaced if it exists)")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--journal", type=int, default=2_000)
    parser.add_argument("--entries", type=int, default=10, help="log entries per contact")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    written = generate(args.root, args.contacts, args.journal, args.entries, args.seed)
    print(f"{written} notes in {args.root}")


if __name__ == "__main__":
    main()
