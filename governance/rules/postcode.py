"""Whether a text is a UK postcode in the official format, and the postcode as Royal Mail writes it.

Source: BS 7666 as published by the Cabinet Office (the e-Government address standard's
PostCodeType, kept by The National Archives): an outward code of one of the forms A9, A99, AA9,
AA99, A9A or AA9A, a space, and an inward code 9AA; the letter in position 1 is never Q, V or X,
in position 2 never I, J or Z; the third-position letter of A9A is one of A-H, J, K, S, T, U, W;
the fourth-position letter of AA9A one of A, B, E, H, M, N, P, R, V, W, X, Y; the inward code's
two letters are never C, I, K, M, O or V; and GIR 0AA, the one exception. No list of real
postcodes is consulted: a well-formed postcode that Royal Mail has not issued still passes.
"""

import re
from dataclasses import dataclass

_FIRST = "A-PR-UWYZ"  # not Q, V, X
_SECOND = "A-HK-Y"  # not I, J, Z
_THIRD = "A-HJKSTUW"  # A9A
_FOURTH = "ABEHMNPRVWXY"  # AA9A
_INWARD = "ABD-HJLNP-UW-Z"  # not C, I, K, M, O, V
_OUTWARD = (
    f"[{_FIRST}][0-9]{{1,2}}"  # A9, A99
    f"|[{_FIRST}][{_SECOND}][0-9]{{1,2}}"  # AA9, AA99
    f"|[{_FIRST}][0-9][{_THIRD}]"  # A9A
    f"|[{_FIRST}][{_SECOND}][0-9][{_FOURTH}]"  # AA9A
)
_POSTCODE = re.compile(rf"(?:(?P<outward>{_OUTWARD})(?P<inward>[0-9][{_INWARD}]{{2}})|GIR0AA)")


@dataclass(frozen=True, slots=True)
class Postcode:
    valid: bool
    written: str  # upper case, one space before the inward code; as typed when not valid
    reason: str = ""


def check(text: str) -> Postcode:
    """A postcode however it was typed (any case, with or without the space) -> its verdict."""
    typed = " ".join(text.split())
    squeezed = typed.replace(" ", "").upper()
    if not squeezed:
        return Postcode(False, typed, "there is no postcode")
    if _POSTCODE.fullmatch(squeezed) is None:
        return Postcode(False, typed, "it is not in the format of a UK postcode")
    if " " in typed and typed.upper().rsplit(" ", 1)[0].replace(" ", "") != squeezed[:-3]:
        # "CB3 0 AP" splits the inward code: the space belongs before its digit.
        return Postcode(False, typed, "the space must come before the last three characters")
    return Postcode(True, f"{squeezed[:-3]} {squeezed[-3:]}")
