"""Which daily backups are kept.

Source: the agency's backup policy as set in issue 10 ("keep 7 daily, 5 weekly"); no statute sets
how long backups are kept. They serve the duty in The Adoption Agencies Regulations 2005, reg. 39:
case records are "at all times kept in secure conditions", with "all appropriate measures ... to
prevent the theft, unauthorised disclosure, loss or destruction of, or damage to" them; and the
duty to preserve section 56 information for at least 100 years from the adoption (The Disclosure
of Adoption Information (Post-Commencement Adoptions) Regulations 2005, reg. 6).

Kept: the backups of the 7 most recent days that have one ("daily"), and the latest backup of each
of the 5 most recent ISO weeks (Monday to Sunday) that have one ("weekly"). The two sets overlap in
the current week, so at most 7 + 5 archives are kept and never fewer than min(7, how many there
are). Anything else is removed.
"""

from collections.abc import Iterable
from datetime import date

DAILY = 7
WEEKLY = 5


def backups_to_keep(days: Iterable[date], *, daily: int = DAILY, weekly: int = WEEKLY) -> set[date]:
    """The days, among those that have a backup, whose backup the policy keeps."""
    newest_first = sorted(set(days), reverse=True)
    keep = set(newest_first[:daily])
    latest_of_week: dict[tuple[int, int], date] = {}
    for day in newest_first:
        latest_of_week.setdefault(day.isocalendar()[:2], day)
    weeks = sorted(latest_of_week, reverse=True)[:weekly]
    keep.update(latest_of_week[w] for w in weeks)
    return keep
