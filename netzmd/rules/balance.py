"""P1, P2, P4, P5: the mix of a relationship — asking and giving, personal and career.

All counts are over the window (`window_days`, SPEC 2.6) and come from `ctx.figures`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.log import fold
from netzmd.model import Contact, Interaction
from netzmd.relations import Figures, done, in_window
from netzmd.rules.base import Context, contact_rule

# SPEC 3.1: the silence before a cold ask defaults to the cadence, else this many days.
DEFAULT_SILENCE_DAYS = 90
# SPEC 3.1: `no-personal-touch` needs this many interactions in the window to judge the mix.
MIN_INTERACTIONS_FOR_MIX = 3
PERSONAL_CIRCLES = ("key", "regular")


def _takes_in_window(ctx: Context, contact: Contact) -> list[Interaction]:
    return [
        i for i in done(contact, ctx.today)
        if i.direction == "take" and in_window(i.date, ctx.today, ctx.window_days)
    ]


@contact_rule("only-when-needed", Level.WARNING, "P1", min_cold_asks=2, silence_days=0)
def only_when_needed(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                     ) -> Iterator[Finding]:
    # silence_days = 0 means automatic: the contact's own rhythm says what "silence" is.
    silence = options["silence_days"] or contact.cadence_days or DEFAULT_SILENCE_DAYS
    past = done(contact, ctx.today)
    cold: list[dt.date] = []
    for ask in _takes_in_window(ctx, contact):
        start = ask.date - dt.timedelta(days=silence)
        if not any(start <= other.date < ask.date for other in past):
            cold.append(ask.date)
    # At least one: with min_cold_asks = 0 a contact who never asked is not flagged.
    if cold and len(cold) >= options["min_cold_asks"]:
        yield Finding("only-when-needed", path=contact.path, contact=contact.name,
                      data={"cold_asks": len(cold), "dates": cold})


@contact_rule("one-sided", Level.WARNING, "P2", min_surplus=2)
def one_sided(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
              ) -> Iterator[Finding]:
    # At least one take: with min_surplus = 0 a contact without any exchange is not one-sided.
    if fig.takes and fig.takes - fig.gives >= options["min_surplus"]:
        yield Finding("one-sided", path=contact.path, contact=contact.name,
                      data={"gives": fig.gives, "takes": fig.takes})


@contact_rule("no-personal-touch", Level.WARNING, "P4")
def no_personal_touch(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                      ) -> Iterator[Finding]:
    if (contact.circle in PERSONAL_CIRCLES and fig.interactions >= MIN_INTERACTIONS_FOR_MIX
            and fig.personal == 0):
        yield Finding("no-personal-touch", path=contact.path, contact=contact.name,
                      data={"interactions": fig.interactions})


@contact_rule("career-only", Level.WARNING, "P5", max_share=0.5)
def career_only(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                ) -> Iterator[Finding]:
    # career / total is the correctly rounded quotient, so 7/10 >= 0.7 holds exactly.
    if fig.career >= 2 and fig.career / fig.interactions >= options["max_share"]:
        yield Finding("career-only", path=contact.path, contact=contact.name,
                      data={"career": fig.career, "total": fig.interactions})


@contact_rule("industry-take", Level.INFO, "P2")
def industry_take(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                  ) -> Iterator[Finding]:
    if contact.sector is None or fold(contact.sector) != "industry" or not fig.takes:
        return
    dates = [i.date for i in _takes_in_window(ctx, contact)]
    yield Finding("industry-take", path=contact.path, contact=contact.name,
                  data={"takes": fig.takes, "dates": dates})


RULES = [only_when_needed, one_sided, no_personal_touch, career_only, industry_take]
