"""`export json` and `export csv` against SPEC 4.1."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from netzmd.cli import cli
from tests.conftest import make_vault

LIST_FIELDS = ["name", "path", "circle", "cadence_days", "last", "days_since", "due", "overdue",
               "interactions", "gives", "takes", "mutual", "personal", "career", "tags", "goals"]


def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path, {
        "contacts/Anna Keller.md": (
            "---\nname: Dr. Anna Keller\ncircle: key\ntags: [kongress, nephro]\n"
            "goals: ['[[Nephro]]']\nphone: 0301234567\nmet: 2026-07-16\n---\n"
            "- 2026-08-01 gave: Paper #geben\n- 2026-09-01 took: Rat #persönlich\n"
        ),
        "contacts/Alt.md": "---\nname: Alt Kontakt\nstatus: archived\n---\n",
        "contacts/Neu.md": "---\ncadence: monthly\n---\n",
        "goals/Nephro.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n---\n",
    })


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_export_csv_has_the_list_columns_for_active_contacts(tmp_path: Path) -> None:
    code, out = run("export", "csv", "--vault", str(vault(tmp_path)), "--today", "2026-11-27")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        LIST_FIELDS,
        ["Dr. Anna Keller", "contacts/Anna Keller.md", "key", "90", "2026-09-01", "87",
         "2026-11-30", "False", "3", "1", "1", "0", "1", "0", "kongress|nephro", "Nephro"],
        ["Neu", "contacts/Neu.md", "", "30", "", "", "2026-11-27", "True", "0", "0", "0", "0",
         "0", "0", "", ""],
    ]


def test_export_json_has_list_fields_front_matter_and_every_interaction(tmp_path: Path
                                                                        ) -> None:
    code, out = run("export", "json", "--vault", str(vault(tmp_path)), "--today", "2026-11-27")
    assert code == 0
    records = {r["name"]: r for r in json.loads(out)}
    assert sorted(records) == ["Alt Kontakt", "Dr. Anna Keller", "Neu"]  # archived too
    anna = records["Dr. Anna Keller"]
    assert list(anna) == [*LIST_FIELDS, "fields", "interactions_all"]
    assert {k: anna[k] for k in LIST_FIELDS} == {
        "name": "Dr. Anna Keller", "path": "contacts/Anna Keller.md", "circle": "key",
        "cadence_days": 90, "last": "2026-09-01", "days_since": 87, "due": "2026-11-30",
        "overdue": False, "interactions": 3, "gives": 1, "takes": 1, "mutual": 0,
        "personal": 1, "career": 0, "tags": ["kongress", "nephro"], "goals": ["Nephro"],
    }
    assert anna["fields"] == {
        "name": "Dr. Anna Keller", "circle": "key", "tags": ["kongress", "nephro"],
        "goals": ["[[Nephro]]"], "phone": "0301234567", "met": "2026-07-16",
    }
    assert anna["interactions_all"] == [
        {"date": "2026-07-16", "kind": "met", "direction": "touch", "personal": False,
         "career": False, "text": "", "path": "contacts/Anna Keller.md", "line": None},
        {"date": "2026-08-01", "kind": "gave", "direction": "give", "personal": False,
         "career": False, "text": "Paper #geben", "path": "contacts/Anna Keller.md",
         "line": 9},
        {"date": "2026-09-01", "kind": "took", "direction": "take", "personal": True,
         "career": False, "text": "Rat #persönlich", "path": "contacts/Anna Keller.md",
         "line": 10},
    ]
    assert records["Neu"]["due"] == "2026-11-27"  # never contacted: due today
    assert records["Neu"]["last"] is None
