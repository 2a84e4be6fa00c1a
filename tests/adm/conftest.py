"""ADM tests run on 15 January 2027, so meetings before Christmas 2026 are in the past."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import pytest

from governance import clock

TODAY = date(2027, 1, 15)


@pytest.fixture(autouse=True)
def fixed_today() -> Iterator[date]:
    with clock.frozen_at(datetime.combine(TODAY, time(12), clock.LONDON)):
        yield TODAY
