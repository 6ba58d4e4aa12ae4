"""Template environments, the sandbox, error reporting; the digest and report commands."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netzmd.cli import cli
from netzmd.report import TemplateFailure, environment, render
from tests.conftest import EXAMPLE_VAULT, make_vault


def _vault_with_template(tmp_path: Path, name: str, text: str) -> Path:
    return make_vault(tmp_path, {f"templates/{name}": text})


# ---------------------------------------------------------------- render()


def test_vault_template_gets_catalogue_and_filters(tmp_path: Path) -> None:
    root = _vault_with_template(
        tmp_path, "note.md.j2",
        "{{ t('circle', 'key') }}: {{ day|date }}, {{ n|number(1) }}, {{ share|percent }}\n",
    )
    context = {"day": dt.date(2026, 11, 27), "n": 1234.5, "share": 0.5}
    assert render(root, "note", {**context, "lang": "de"}, "md") == (
        "Schlüssel: 27.11.2026, 1.234,5, 50\xa0%\n"
    )
    assert render(root, "note", {**context, "lang": "en"}, "md") == (
        "key: Nov 27, 2026, 1,234.5, 50%\n"
    )


def test_date_filter_styles(tmp_path: Path) -> None:
    root = _vault_with_template(
        tmp_path, "d.md.j2", "{{ day|date('iso') }} {{ day|date('long') }} {{ none|date }}",
    )
    text = render(root, "d", {"lang": "de", "day": dt.date(2026, 3, 5), "none": None}, "md")
    assert text == "2026-03-05 5. März 2026 –"


def test_html_is_escaped_by_output_format_not_suffix(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    root = make_vault(tmp_path, {
        "templates/who.html.j2": "<p>{{ name }}</p>",
        "templates/who.md.j2": "{{ name }}",
    })
    assert render(root, "who", {"name": evil}, "html") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    # Markdown is not HTML-escaped: Obsidian would show the entities literally.
    assert render(root, "who", {"name": evil}, "md") == evil
    assert environment(root, "html").autoescape is True
    assert environment(root, "md").autoescape is False


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
])
def test_sandbox_escape_is_refused_with_name_and_line(tmp_path: Path, source: str) -> None:
    root = _vault_with_template(tmp_path, "evil.md.j2", "harmless\n" + source + "\n")
    with pytest.raises(TemplateFailure) as caught:
        render(root, "evil", {}, "md")
    assert caught.value.name == "templates/evil.md.j2"
    assert caught.value.line == 2
    assert "unsafe" in caught.value.message


def test_context_cannot_be_modified(tmp_path: Path) -> None:
    root = _vault_with_template(tmp_path, "m.md.j2", "{{ items.append(1) }}")
    with pytest.raises(TemplateFailure, match=r"template 'templates/m.md.j2', line 1: "
                       r"refused by the sandbox"):
        render(root, "m", {"items": [1]}, "md")


def test_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    root = _vault_with_template(tmp_path, "bad.md.j2", "a\nb\n{% if %}\n")
    with pytest.raises(TemplateFailure) as caught:
        render(root, "bad", {}, "md")
    assert str(caught.value) == (
        "template 'templates/bad.md.j2', line 3: Expected an expression, "
        "got 'end of statement block'"
    )


def test_undefined_variable_is_an_error(tmp_path: Path) -> None:
    root = _vault_with_template(tmp_path, "u.md.j2", "one\n\n{{ contact.nmae }}\n")
    with pytest.raises(TemplateFailure) as caught:
        render(root, "u", {"contact": {"name": "Anna"}}, "md")
    assert str(caught.value) == (
        "template 'templates/u.md.j2', line 3: 'dict object' has no attribute 'nmae'"
    )


def test_error_in_included_template_points_at_that_template(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "templates/outer.md.j2": "{% include 'inner.md.j2' %}\n",
        "templates/inner.md.j2": "x\n{{ missing }}\n",
    })
    with pytest.raises(TemplateFailure) as caught:
        render(root, "outer", {}, "md")
    assert (caught.value.name, caught.value.line) == ("templates/inner.md.j2", 2)


def test_unknown_message_key_is_a_template_error(tmp_path: Path) -> None:
    root = _vault_with_template(tmp_path, "k.md.j2", "{{ t('digest', 'no-such-key') }}")
    with pytest.raises(TemplateFailure, match=r"line 1: LookupError: no message "
                       r"'digest.no-such-key' in the en catalogue"):
        render(root, "k", {"lang": "en"}, "md")


def test_missing_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateFailure) as caught:
        render(make_vault(tmp_path, {}), "nothing", {}, "md")
    assert str(caught.value) == (
        "template 'nothing.md.j2': no such template in the vault's templates/ folder "
        "or the built-in templates"
    )


@pytest.mark.parametrize("name", ["../netzmd", "sub/x", ".hidden", ""])
def test_template_name_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(TemplateFailure, match="a template name is a plain name"):
        render(make_vault(tmp_path, {}), name, {}, "md")


def test_vault_template_symlinked_outside_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md.j2"
    secret.write_text("SECRET", "utf-8")
    root = make_vault(tmp_path / "vault", {"templates/.keep": ""})
    (root / "templates" / "leak.md.j2").symlink_to(secret)
    with pytest.raises(TemplateFailure, match="no such template"):
        render(root, "leak", {}, "md")


def test_render_without_vault_uses_builtin_templates(tmp_path: Path) -> None:
    with pytest.raises(TemplateFailure, match="no such template"):
        render(None, "no-such-builtin", {}, "md")


# ---------------------------------------------------------------- the commands

TODAY = "2026-12-10"
KEY_OVERDUE = "---\ncircle: key\n---\n- 2026-07-01 call: Anruf\n"


def invoke(*args: str, vault: Path) -> Result:
    return CliRunner().invoke(cli, [*args, "--vault", str(vault), "--today", TODAY])


def assert_refused(result: Result, message: str) -> None:
    """Exit 2 with the message on stderr, nothing on stdout, and no traceback."""
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert isinstance(result.exception, SystemExit)


def test_digest_prints_markdown_with_links_and_tasks(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Anna Keller.md": (
        "---\nname: Dr. Anna Keller\ncircle: key\nspecialty: Nephrologie\n---\n"
        "- 2026-07-01 call: Anruf\n")})
    result = invoke("digest", "--lang", "en", vault=root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# Network digest, week 50/2026"
    assert "1. **[[Anna Keller|Dr. Anna Keller]]** – Nephrologie · key" in lines
    assert ("   - Why: last contact 162 days ago (Jul 1, 2026); cadence is every 90 days"
            in lines)
    assert any(line.startswith("   - [ ] **Next step:** ") for line in lines)


def test_digest_in_german(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE})
    result = invoke("digest", "--lang", "de", vault=root)
    assert result.stdout.startswith("# Netzwerk-Digest, KW 50/2026\n\n"
                                    "07.12.2026 – 13.12.2026 · Stand 10.12.2026 · "
                                    "1 aktiver Kontakt\n")
    assert "## Diese Woche" in result.stdout


def test_script_in_a_name_is_escaped_in_html(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "contacts/Evil.md": "---\nname: <script>alert(1)</script>\ncircle: key\n"
                            "role: <img src=x onerror=alert(2)>\n---\n"
                            "- 2026-07-01 took: <b>Rat</b>\n- 2026-12-08 took: Frage\n",
    })
    result = invoke("digest", "--format", "html", vault=root)
    assert result.exit_code == 0
    html = result.stdout
    assert "<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script" not in html and "<img" not in html and "<b>" not in html


def test_html_page_is_self_contained(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE + "- 2026-06-01 gave: x\n"})
    html = invoke("digest", "--format", "html", vault=root).stdout
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?!#)""", html) == []
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert html.count('role="img"') == 3  # balance, months, quarter (no goals here)
    assert "<th scope=\"col\">" in html or "<th scope=\"row\">" in html


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os }}",
])
def test_sandbox_escape_in_a_vault_template_exits_2(tmp_path: Path, source: str) -> None:
    root = make_vault(tmp_path, {"templates/evil.md.j2": "# Hallo\n" + source + "\n"})
    result = invoke("report", "evil", vault=root)
    assert result.exit_code == 2
    assert result.stderr.startswith("netzmd: template 'templates/evil.md.j2', line 2: "
                                    "refused by the sandbox: access to attribute '__")
    assert "Traceback" not in result.output


def test_vault_digest_template_overrides_the_builtin(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "contacts/Anna.md": KEY_OVERDUE,
        "templates/digest.md.j2": "{{ week.label }}\n{% for i in this_week %}\n"
                                  "- {{ i.contact.name }}\n{% endfor %}\n",
    })
    # Block tags on lines of their own leave no blank lines behind (trim_blocks).
    assert invoke("digest", vault=root).stdout == "2026-W50\n- Anna\n"
    # The HTML digest still comes from the package.
    assert invoke("digest", "--format", "html", vault=root).stdout.startswith("<!DOCTYPE html>")


def test_template_syntax_error_exits_2_with_name_and_line(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"templates/digest.md.j2": "ok\n{% for x in %}\n"})
    assert_refused(invoke("digest", vault=root),
                   "netzmd: template 'templates/digest.md.j2', line 2: "
                   "Expected an expression, got 'end of statement block'")


def test_undefined_variable_exits_2(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"templates/mine.html.j2": "<p>{{ this_wek }}</p>\n"})
    assert_refused(invoke("report", "mine", "--format", "html", vault=root),
                   "netzmd: template 'templates/mine.html.j2', line 1: "
                   "'this_wek' is undefined")


def test_unknown_report_exits_2(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {})
    assert_refused(invoke("report", "nothing", vault=root),
                   "netzmd: template 'nothing.md.j2': no such template in the vault's "
                   "templates/ folder or the built-in templates")


def test_bad_week_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("digest", "--week", "2026-W54", vault=make_vault(tmp_path, {}))
    assert result.exit_code == 2
    assert "Invalid value for '--week': 2026 has no ISO week 54" in result.stderr


def test_week_option_computes_that_week(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE})
    out = invoke("digest", "--week", "2026-W48", "--lang", "en", vault=root).stdout
    assert out.startswith("# Network digest, week 48/2026\n\nNov 23, 2026 – Nov 29, 2026 "
                          "· as of Nov 23, 2026")
    assert "last contact 145 days ago" in out


def test_output_default_path_and_unchanged_file_not_rewritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE})
    monkeypatch.chdir(root)
    result = invoke("digest", "-o", "--lang", "en", vault=root)
    assert (result.exit_code, result.stdout) == (0, "Wrote digest/2026-W50.md.\n")
    target = root / "digest" / "2026-W50.md"
    assert target.read_text("utf-8").startswith("# Network digest, week 50/2026\n")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    result = invoke("digest", "--lang", "en", "-o", vault=root)
    assert result.stdout == "digest/2026-W50.md is unchanged; not rewritten.\n"
    assert target.stat().st_mtime_ns == 1_000_000_000
    result = invoke("digest", "--format", "html", "-o", vault=root)
    assert result.stdout == "Wrote digest/2026-W50.html.\n"
    assert (root / "digest" / "2026-W50.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_output_path_follows_the_config(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE})
    (root / "netzmd.toml").write_text('lang = "de"\noutput = "Digest"\n'
                                      'digest_path = "Digest/Woche {week} ({year}).md"\n',
                                      encoding="utf-8")
    assert invoke("digest", "-o", vault=root).stdout == (
        "Digest/Woche 50 (2026).md geschrieben.\n")
    assert invoke("report", "contacts", "-o", vault=root).stdout == (
        "Digest/contacts.md geschrieben.\n")
    assert (root / "Digest" / "contacts.md").read_text("utf-8").startswith("# Kontakte\n")


def test_output_path_relative_to_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE})
    (root / "Berichte").mkdir()
    monkeypatch.chdir(root / "Berichte")
    result = invoke("report", "quarter", "-o", "Q4.md", "--lang", "en", vault=root)
    assert result.stdout == "Wrote Berichte/Q4.md.\n"
    assert (root / "Berichte" / "Q4.md").read_text("utf-8").startswith(
        "# Quarterly review 2026-Q4\n")


def test_output_outside_the_vault_is_refused(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", {"contacts/Anna.md": KEY_OVERDUE})
    outside = tmp_path / "elsewhere.md"
    assert_refused(invoke("digest", "--lang", "en", "-o", str(outside), vault=root),
                   f"{outside}: resolves outside the vault; nothing written")
    assert not outside.exists()
    assert_refused(invoke("digest", "--lang", "en", "-o", str(root / ".." / "x.md"),
                          vault=root),
                   f"{tmp_path / 'x.md'}: resolves outside the vault; nothing written")


def test_output_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", {"contacts/Anna.md": KEY_OVERDUE})
    (tmp_path / "real").mkdir()
    (root / "digest").symlink_to(tmp_path / "real")
    assert_refused(invoke("digest", "--lang", "en", "-o", vault=root),
                   "digest/2026-W50.md: digest is a symbolic link; nothing written")
    assert list((tmp_path / "real").iterdir()) == []
    (root / "x.md").symlink_to(tmp_path / "real" / "target.md")
    assert_refused(invoke("digest", "--lang", "en", "-o", str(root / "x.md"), vault=root),
                   "x.md: x.md is a symbolic link; nothing written")
    assert not (tmp_path / "real" / "target.md").exists()


@pytest.mark.parametrize("name", ["quarter", "contacts"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_builtin_reports_render_in_both_languages(tmp_path: Path, name: str, fmt: str) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": KEY_OVERDUE,
                                 "contacts/Ben.md": "---\nstatus: archived\n---\n"})
    for lang in ("de", "en"):
        result = invoke("report", name, "--format", fmt, "--lang", lang, vault=root)
        assert result.exit_code == 0, result.stderr
        assert "Anna" in result.stdout


# ---------------------------------------------------------------- golden files

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_CASES = [
    ("digest", "md", "de"), ("digest", "md", "en"),
    ("digest", "html", "de"), ("digest", "html", "en"),
    ("quarter", "md", "de"), ("quarter", "md", "en"),
    ("contacts", "md", "de"), ("contacts", "md", "en"),
]


def render_example(name: str, fmt: str, lang: str) -> str:
    result = CliRunner().invoke(cli, ["report", name, "--vault", str(EXAMPLE_VAULT),
                                      "--today", TODAY, "--lang", lang, "--format", fmt])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("name", "fmt", "lang"), GOLDEN_CASES)
def test_example_vault_matches_golden_file(name: str, fmt: str, lang: str) -> None:
    """Regenerate on purpose with NETZMD_REGEN_GOLDEN=1, then review the diff."""
    path = GOLDEN / f"{name}.{lang}.{fmt}"
    text = render_example(name, fmt, lang)
    if os.environ.get("NETZMD_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert text == path.read_text("utf-8")


def test_digest_command_equals_report_digest() -> None:
    result = CliRunner().invoke(cli, ["digest", "--vault", str(EXAMPLE_VAULT), "--today",
                                      TODAY, "--lang", "de"])
    assert result.stdout == (GOLDEN / "digest.de.md").read_text("utf-8")


# ---------------------------------------------------------------- a real browser


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("the HTML test needs Chromium: apt-get install -y chromium")


def _png_pixels_vary(png: bytes) -> bool:
    """Whether a PNG shows more than a blank page: its pixel data has many byte values."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind = png[pos + 4:pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data))) > 32


def test_html_digest_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "digest.html"
    page.write_text(render_example("digest", "html", "de"), encoding="utf-8")
    browser = _browser()
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "digest.png"
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,2400",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    assert _png_pixels_vary(shot.read_bytes())
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], check=True,
                         capture_output=True, timeout=120, text=True).stdout
    for name in ("PD Dr. Jana Kowalczyk", "Prof. Dr. Özlem Yıldız", "Dr. Lukas Hoffmann"):
        assert name in dom
    for chart in ("Kontakte pro Monat", "Gegeben und genommen je Kontakt", "Quartalsplan"):
        assert re.search(rf'<svg[^>]*role="img"[^>]*>\s*<title id="[^"]+">{chart}</title>',
                         dom), chart
    assert dom.count("<rect") > 20


def test_example_template_in_the_docs_works(tmp_path: Path) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "templates.md").read_text("utf-8")
    [source] = re.findall(r"`templates/birthdays\.md\.j2`:\n\n```jinja\n(.*?)```", docs, re.S)
    root = make_vault(tmp_path, {
        "templates/birthdays.md.j2": source,
        "contacts/Anna Keller.md": "---\nname: Dr. Anna Keller\ncircle: key\n"
                                   "birthday: 1980-12-12\n---\n- 2026-07-01 call: x\n",
    })
    result = invoke("report", "birthdays", "--lang", "en", vault=root)
    assert result.stdout == (
        "# Birthdays – December 10, 2026\n\n"
        "- [ ] [[Anna Keller|Dr. Anna Keller]]: Dec 12, 2026 (46)\n\n"
        "## Key contacts not reached in 2026-Q4\n\n"
        "- [[Anna Keller|Dr. Anna Keller]], last contact Jul 1, 2026\n"
    )
