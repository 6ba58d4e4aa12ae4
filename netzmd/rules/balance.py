"""P1, P2, P4, P5: the mix of a relationship — asking and giving, personal and career.

All counts are over the window (`window_days`, SPEC 2.6) and come from the contact's
figures (`fig`, `relations.figures`).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from operator import attrgetter
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.log import fold
from netzmd.model import Contact, Interaction
from netzmd.relations import Figures, done
from netzmd.rules.base import Context, Findings, contact_rule

# SPEC 3.1: the silence before a cold ask defaults to the cadence, else this many days.
DEFAULT_SILENCE_DAYS = 90
# SPEC 3.1: `no-personal-touch` needs this many interactions in the window to judge the mix.
MIN_INTERACTIONS_FOR_MIX = 3
PERSONAL_CIRCLES = ("key", "regular")

_date = attrgetter("date")


def _takes_in_window(past: tuple[Interaction, ...], fig: Figures) -> list[Interaction]:
    """The takes among the done interactions `past` in the window: its last `interactions`."""
    return [i for i in past[len(past) - fig.interactions:] if i.direction == "take"]


@contact_rule("only-when-needed", Level.WARNING, "P1", min_cold_asks=2, silence_days=0)
def only_when_needed(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                     ) -> Findings:
    if not fig.takes:
        return ()
    # silence_days = 0 means automatic: the contact's own rhythm says what "silence" is.
    silence = options["silence_days"] or contact.cadence_days or DEFAULT_SILENCE_DAYS
    past = done(contact, ctx.today)
    cold: list[dt.date] = []
    for ask in _takes_in_window(past, fig):
        # In date order: the latest interaction before the ask's day decides; one within
        # `silence` days before it makes the ask warm.
        before = bisect_left(past, ask.date, key=_date)
        if before == 0 or (ask.date - past[before - 1].date).days > silence:
            cold.append(ask.date)
    # At least one: with min_cold_asks = 0 a contact who never asked is not flagged.
    if not cold or len(cold) < options["min_cold_asks"]:
        return ()
    return [Finding("only-when-needed", path=contact.path, contact=contact.name,
                    data={"cold_asks": len(cold), "dates": cold})]


@contact_rule("one-sided", Level.WARNING, "P2", min_surplus=2)
def one_sided(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
              ) -> Findings:
    # At least one take: with min_surplus = 0 a contact without any exchange is not one-sided.
    if not fig.takes or fig.takes - fig.gives < options["min_surplus"]:
        return ()
    return [Finding("one-sided", path=contact.path, contact=contact.name,
                    data={"gives": fig.gives, "takes": fig.takes})]


@contact_rule("no-personal-touch", Level.WARNING, "P4")
def no_personal_touch(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                      ) -> Findings:
    if (contact.circle not in PERSONAL_CIRCLES or fig.interactions < MIN_INTERACTIONS_FOR_MIX
            or fig.personal):
        return ()
    return [Finding("no-personal-touch", path=contact.path, contact=contact.name,
                    data={"interactions": fig.interactions})]


@contact_rule("career-only", Level.WARNING, "P5", max_share=0.5)
def career_only(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                ) -> Findings:
    # career / total is the correctly rounded quotient, so 7/10 >= 0.7 holds exactly.
    if fig.career < 2 or fig.career / fig.interactions < options["max_share"]:
        return ()
    return [Finding("career-only", path=contact.path, contact=contact.name,
                    data={"career": fig.career, "total": fig.interactions})]


@contact_rule("industry-take", Level.INFO, "P2")
def industry_take(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                  ) -> Findings:
    if not fig.takes or contact.sector is None or fold(contact.sector) != "industry":
        return ()
    dates = [i.date for i in _takes_in_window(done(contact, ctx.today), fig)]
    return [Finding("industry-take", path=contact.path, contact=contact.name,
                    data={"takes": fig.takes, "dates": dates})]


RULES = [only_when_needed, one_sided, no_personal_touch, career_only, industry_take]
