"""Is a data.gouv.fr dataset fresh for its declared frequency? The rule udata applies for its quality criterion
``update_fulfilled_in_time`` (udata 17, ``core/dataset/models.py`` ``Dataset.quality`` and
``core/dataset/constants.py`` ``UpdateFrequency``):

- next expected update = ``last_update`` + the frequency's delta (``last_update`` being the harvest date, else the
  latest resource modification, else the dataset's; the API gives it as ``last_update``);
- fresh when ``(next_update - now).days >= -1``: up to one day late is tolerated (harvesting delays);
- a frequency without delta (continuous, punctual, irregular, never, notPlanned, other, unknown) is always fresh.

Frequencies that happen several times in a period expect an update before the period ends (``threeTimesADay``:
within 24 hours), hence the deltas below, copied from udata's table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..numbers import quantity

__all__ = ["FREQUENCY_DELTAS", "freshness"]

_D, _W = timedelta(days=1), timedelta(weeks=1)
FREQUENCY_DELTAS: dict[str, timedelta | None] = {
    "continuous": None, "oneMinute": timedelta(minutes=1), "fiveMinutes": timedelta(minutes=5),
    "tenMinutes": timedelta(minutes=10), "fifteenMinutes": timedelta(minutes=15),
    "thirtyMinutes": timedelta(minutes=30), "hourly": timedelta(hours=1), "bihourly": timedelta(hours=2),
    "trihourly": timedelta(hours=3), "twelveHours": timedelta(hours=12), "severalTimesADay": _D,
    "threeTimesADay": _D, "semidaily": _D, "daily": _D, "fiveTimesAWeek": _W, "threeTimesAWeek": _W,
    "semiweekly": _W, "weekly": _W, "biweekly": 2 * _W, "threeTimesAMonth": 31 * _D, "semimonthly": 31 * _D,
    "monthly": 31 * _D, "bimonthly": 62 * _D, "quarterly": 93 * _D, "threeTimesAYear": 365 * _D,
    "semiannual": 365 * _D, "annual": 365 * _D, "biennial": 730 * _D, "triennial": 1095 * _D,
    "quadrennial": 1460 * _D, "quinquennial": 1825 * _D, "decennial": 3650 * _D, "bidecennial": 7300 * _D,
    "tridecennial": 10950 * _D, "punctual": None, "irregular": None, "never": None, "notPlanned": None,
    "other": None, "unknown": None,
    # udata's legacy ids
    "realtime": None, "fourTimesADay": _D, "fourTimesAWeek": None, "fortnighly": 2 * _W, "biannual": 365 * _D,
}  # fmt: skip


def _naive_utc(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def freshness(frequency: str, last_update: str | None, now: datetime | None = None) -> tuple[bool, str]:
    """(fresh, why) by udata's rule (module docstring). An unknown frequency id counts as one without delta."""
    delta = FREQUENCY_DELTAS.get(frequency)
    if delta is None:
        return True, f"frequency {frequency!r}: no regular update expected"
    if not last_update:
        return False, f"frequency {frequency!r} but data.gouv.fr gives no last update date"
    last = _naive_utc(last_update)
    now = now or datetime.now(UTC)
    current = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    next_update = last + delta
    if (next_update - current).days >= -1:
        return True, f"updated {last:%Y-%m-%d %H:%M} UTC, next update due by {next_update:%Y-%m-%d %H:%M} UTC"
    late = (current - next_update).days
    return False, (f"stale: last updated {last:%Y-%m-%d %H:%M} UTC, due by {next_update:%Y-%m-%d %H:%M} UTC for "
                   f"frequency {frequency!r}, {quantity(late, 'day', 'days', 'en')} late")  # fmt: skip
