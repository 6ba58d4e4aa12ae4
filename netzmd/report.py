"""Jinja environments for reports: built-in templates, vault overrides, the sandbox.

Vault templates (`<root>/templates/`) come first and override the built-in ones of the
package. Everything renders in Jinja's immutable sandbox: a vault template is code
someone else may have written (a shared vault, a downloaded template), and a single
environment for both keeps built-in and user templates under the same rules.
Autoescaping follows the output format, not the file name, so `report.html` made from a
template called `mine.j2` is still escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import CodeType, TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from markupsafe import Markup, escape

from netzmd import locale

TEMPLATES = "templates"
BUILTIN = Path(__file__).resolve().parent / TEMPLATES
FORMATS = ("md", "html", "text")


class TemplateFailure(Exception):
    """A template could not be found, parsed or rendered; the CLI exits 2 with this text."""

    def __init__(self, name: str, line: int | None, message: str) -> None:
        self.name = name
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"template '{self.name}'"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.message}"


class _VaultLoader(jinja2.FileSystemLoader):
    """The vault's `templates/` folder; a template that resolves outside the vault is refused.

    A symbolic link inside `templates/` could otherwise make a report read any file the
    user can read (SPEC 2.1: links out of the vault are not followed).
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        super().__init__(str(root / TEMPLATES), followlinks=False)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def _lang(context: jinja2.runtime.Context) -> str:
    # What `context.get("lang")` finds (the template's own variables first), in two
    # dict lookups: every `t` and `date` asks.
    lang = context.vars.get("lang", missing)
    if lang is missing:
        lang = context.parent.get("lang")
    return lang if lang in locale.LANGS else "en"


@jinja2.pass_context
def _t(context: jinja2.runtime.Context, section: str, key: str, **values: Any) -> str:
    """`t("digest", "heading", week=50)`: a catalogue message in the report's language."""
    lang = context.vars.get("lang", missing)  # `_lang`, inline: a digest asks 10,000 times
    if lang is missing:
        lang = context.parent.get("lang")
    if lang not in locale.LANGS:
        lang = "en"
    autoescape = context.eval_ctx.autoescape
    # A large digest asks for the same few hundred messages thousands of times ("why",
    # "30 days overdue"), so filled messages are kept, for values of immutable types
    # only (a list, a namespace or an undefined value is filled, or fails, as ever).
    # Types are part of the key: 1, 1.0 and True are equal but read differently, and so
    # do a text and its Markup.
    if type(section) is str and type(key) is str:
        if not values:
            return _cached_message(lang, autoescape, section, key, ())
        given = values.values()
        if _CACHEABLE.issuperset(map(type, given)):
            items = tuple(zip(values, map(type, given), given, strict=True))
            return _cached_message(lang, autoescape, section, key, items)
    return _message(lang, autoescape, section, key, values)


_CACHEABLE = frozenset({str, Markup, int, float, bool, type(None), dt.date, dt.datetime})


@functools.lru_cache(maxsize=8192)
def _cached_message(lang: str, autoescape: bool, section: str, key: str,
                    items: tuple[tuple[str, type, Any], ...]) -> str:
    return _message(lang, autoescape, section, key, {name: value for name, _, value in items})


def _message(lang: str, autoescape: bool, section: str, key: str,
             values: dict[str, Any]) -> str:
    entries = locale.catalogue(lang).get(section, {})
    if key not in entries:
        raise LookupError(f"no message '{section}.{key}' in the {lang} catalogue")
    # Dates read the same inside a sentence as through the `date` filter.
    shown = {k: babel_date(v, lang) if isinstance(v, dt.date) else v for k, v in values.items()}
    if not autoescape:
        return locale.fill(entries[key], shown, lang)
    # In HTML the message and every value are escaped here, once; a value that is
    # already markup (a macro's output) stays as it is instead of being escaped twice.
    safe = {k: _escaped(v) for k, v in shown.items()}
    return Markup(locale.fill(str(escape(entries[key])), safe, lang))


def _escaped(value: Any) -> Any:
    if isinstance(value, Markup) or value is None:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # numbers stay numbers: `{n|day|days}` compares them with 1
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return escape(str(value))


@jinja2.pass_context
def _date(context: jinja2.runtime.Context, value: dt.date | None, style: str = "medium") -> str:
    """Dates per language via Babel: `27.11.2026` in German, `Nov 27, 2026` in English.

    `style` is `short`, `medium` (default), `long`, `full`, `iso`, or a Babel pattern
    such as `d. MMMM`.
    """
    if value is None:
        return "–"
    return babel_date(value, _lang(context), style)


def babel_date(value: dt.date, lang: str, style: str = "medium") -> str:
    """A date as reports write it (the `date` filter): Babel's style, or `iso`."""
    if style == "iso":
        return value.isoformat()
    return _babel_date(value, lang, style)


# A digest of 10,000 contacts formats the same few hundred dates thousands of times, and
# one Babel call costs 10–15 µs (locale lookup, pattern parsing). The result depends
# only on these three arguments; `date` and `datetime` never share an entry (they are
# never equal), and a year of days in two languages and a few styles fits.
@functools.lru_cache(maxsize=4096)
def _babel_date(value: dt.date, lang: str, style: str) -> str:
    from babel.dates import format_date

    return str(format_date(value, style, locale=lang))


@jinja2.pass_context
def _number(context: jinja2.runtime.Context, value: float | int | None, digits: int = 0) -> str:
    """Numbers per language via Babel: `1.234,5` in German, `1,234.5` in English."""
    from babel.numbers import format_decimal

    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(value, format=pattern, locale=_lang(context)))


@jinja2.pass_context
def _percent(context: jinja2.runtime.Context, value: float | None) -> str:
    """A fraction as a percentage per language: `50 %` in German, `50%` in English."""
    from babel.numbers import format_percent

    if value is None:
        return "–"
    return str(format_percent(value, locale=_lang(context)))


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory, by template file and the checksum of its source.

    Parsing and compiling the digest templates takes 25 ms (HTML: 45 ms) each render; `watch`
    renders again after every change. The source is still read each time (Jinja checks
    the checksum), so an edited, added or removed vault template is never missed. One
    cache per autoescape setting: the compiled code depends on it. Only the newest
    version of each file is kept, so editing a template in watch mode does not pile up.
    """

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self._codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self._codes[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        self._codes.clear()


_COMPILED = {False: _CompiledTemplates(), True: _CompiledTemplates()}


# The attributes of a plain dict (its methods and dunders); no instance has others.
_DICT_ATTRIBUTES = frozenset(dir(dict))
# Per type: whether its instances are dicts without attributes of their own (see below).
_LIKE_DICT: dict[type, bool] = {dict: True}


def _like_dict(cls: type) -> bool:
    """A dict, or a dict subclass whose instances have no other public attributes.

    Such as the digest's contact records that fill themselves in on first use: no
    instance `__dict__`, no `__getattr__`, no public name that a dict does not have.
    """
    found = _LIKE_DICT.get(cls)
    if found is None:
        found = _LIKE_DICT[cls] = (
            issubclass(cls, dict) and cls.__dictoffset__ == 0
            and not hasattr(cls, "__getattr__")
            and cls.__getattribute__ is dict.__getattribute__
            and all(name.startswith("_") or name in _DICT_ATTRIBUTES for name in dir(cls)))
    return found


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with a shortcut for `record.name` on the context's dicts.

    Jinja looks an attribute up first and the key only after an AttributeError; raising
    and catching that for each of the 40,000 `c.link`s of a large digest was a fifth of
    its rendering time. A plain dict's attributes are exactly `dir(dict)`, so for any
    other name the key is what Jinja would return anyway, and the rest (`items`,
    `__class__`) still goes through the sandbox's checks. The same holds for a dict
    subclass without attributes of its own (`_like_dict`).
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute not in _DICT_ATTRIBUTES:
            like = _LIKE_DICT.get(type(obj))
            if like or (like is None and _like_dict(type(obj))):
                try:
                    return obj[attribute]
                except KeyError:
                    pass
        return super().getattr(obj, attribute)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        """Calls from templates; `t` directly.

        A large digest calls `t` ten thousand times, and Jinja's general way (a safety
        check, a look at how to pass the context, a derived context inside a loop that
        sets a variable) was a fifth of its rendering time. For `t`, our own function,
        that way ends in the same call: it reads only `lang` and the autoescape setting
        of the context, so only a loop or block that sets `lang` still needs it.
        (The double underscores keep the names free for any keyword a template passes.)
        """
        if __obj is _t:
            loop_vars = kwargs.pop("_loop_vars", None)
            block_vars = kwargs.pop("_block_vars", None)
            if not ((loop_vars and "lang" in loop_vars)
                    or (block_vars and "lang" in block_vars)):
                return _t(__context, *args, **kwargs)
            kwargs.update(_loop_vars=loop_vars, _block_vars=block_vars)
        return super().call(__context, __obj, *args, **kwargs)


def environment(root: Path | None, fmt: str) -> jinja2.Environment:
    """The sandboxed environment for one output format; vault templates override built-ins."""
    loaders: list[jinja2.BaseLoader] = []
    if root is not None and (root / TEMPLATES).is_dir():
        loaders.append(_VaultLoader(root))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN)))
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=fmt == "html",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED[fmt == "html"],
    )
    env.filters["date"] = _date
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    env.filters["map"] = _map
    env.globals["t"] = _t
    return env


_JINJA_MAP = jinja2.filters.FILTERS["map"]


@jinja2.pass_context
def _map(context: jinja2.runtime.Context, value: Any, *args: Any, **kwargs: Any) -> Any:
    """Jinja's `map`, with `map(attribute="link")` taken the short way.

    A large digest joins the links of thousands of task and interaction lines with
    `contacts | map(attribute="link")`; Jinja's general way (an attribute getter that
    splits the name at dots, a default, a wrapper for async templates) was a tenth of
    the rendering time. For a plain name, the getter is the sandbox's item lookup.
    """
    attribute = kwargs.get("attribute")
    if args or len(kwargs) != 1 or type(attribute) is not str or not attribute.isidentifier():
        return _JINJA_MAP(context, value, *args, **kwargs)
    return _map_attribute(context.environment.getitem, value, attribute)


def _map_attribute(getitem: Callable[[Any, str], Any], value: Any, attribute: str
                   ) -> Iterator[Any]:
    # A generator like Jinja's: nothing is looked up until the result is read.
    if value:
        for item in value:
            yield getitem(item, attribute)


def template_file(name: str, fmt: str) -> str:
    """`digest` + `md` → `digest.md.j2`."""
    return f"{name}.{fmt}.j2"


def render(root: Path | None, name: str, context: Mapping[str, Any], fmt: str) -> str:
    """Render template NAME for FMT; every template problem becomes a TemplateFailure."""
    file = template_file(name, fmt)
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise TemplateFailure(file, None, "a template name is a plain name such as 'digest'")
    env = environment(root, fmt)
    try:
        template = env.get_template(file)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateFailure(_shown_name(err.filename, err.name or file, root), err.lineno,
                              err.message or "syntax error") from None
    except jinja2.TemplateNotFound:
        raise TemplateFailure(file, None, "no such template in the vault's templates/ "
                              "folder or the built-in templates") from None
    try:
        return template.render(dict(context))
    except jinja2.TemplateSyntaxError as err:
        # A broken template pulled in by {% include %} or {% extends %}.
        raise TemplateFailure(_shown_name(err.filename, err.name or file, root), err.lineno,
                              err.message or "syntax error") from None
    except jinja2.TemplateNotFound as err:
        name_, line = _template_frame(sys.exc_info()[2], root, template.filename, file)
        raise TemplateFailure(name_, line, f"no such template: {err.name}") from None
    except RecursionError:
        raise TemplateFailure(file, None, "the template recurses too deeply") from None
    # A template is code: whatever it raises (a sandbox violation, an undefined name, a
    # filter given the wrong type) is the template's problem, reported with its line.
    except Exception as err:
        name_, line = _template_frame(sys.exc_info()[2], root, template.filename, file)
        raise TemplateFailure(name_, line, _describe(err)) from None


def _describe(err: Exception) -> str:
    if isinstance(err, jinja2.exceptions.SecurityError):
        return f"refused by the sandbox: {err}"
    text = str(err) or type(err).__name__
    if isinstance(err, jinja2.UndefinedError):
        return text
    return f"{type(err).__name__}: {text}"


def _shown_name(filename: str | None, fallback: str, root: Path | None) -> str:
    """A vault template by its vault-relative path, a built-in one by its file name."""
    if filename is None:
        return fallback
    path = Path(filename)
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _template_frame(
    tb: TracebackType | None, root: Path | None, filename: str | None, fallback: str
) -> tuple[str, int | None]:
    """The innermost template line in a traceback (Jinja maps frames to template lines)."""
    found: tuple[str, int | None] = (_shown_name(filename, fallback, root), None)
    while tb is not None:
        code_file = tb.tb_frame.f_code.co_filename
        if code_file.endswith(".j2") or code_file == filename or (
            filename is None and code_file == "<template>"
        ):
            found = (_shown_name(code_file if os.path.exists(code_file) else filename,
                                 fallback, root), tb.tb_lineno)
        tb = tb.tb_next
    return found
