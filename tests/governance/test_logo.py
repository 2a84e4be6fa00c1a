"""What a letterhead logo may be: a whole PNG or JPEG of at most 1 MB, judged by its content."""

from __future__ import annotations

from governance.logo import MAX_BYTES, Picture, check_logo
from tests.governance.pictures import JPEG, png


def test_a_png_and_a_jpeg_are_accepted_with_their_size_in_pixels() -> None:
    assert check_logo("logo.png", png(120, 40)).kind is Picture.PNG
    verdict = check_logo("logo.jpg", JPEG)
    assert (verdict.accepted, verdict.kind, verdict.width, verdict.height) == (
        True,
        Picture.JPEG,
        16,
        16,
    )


def test_what_a_file_is_comes_from_its_content_not_its_name() -> None:
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    verdict = check_logo("logo.png", gif)
    assert not verdict.accepted
    assert (
        verdict.message
        == "logo.png is not a PNG or JPEG picture (it is a GIF picture: save it as PNG)"
    )
    assert check_logo("logo.docx", png()).accepted


def test_a_logo_over_1_mb_is_refused_saying_how_large_it_is() -> None:
    big = png() + b"\x00" * MAX_BYTES
    verdict = check_logo("huge.png", big)
    assert not verdict.accepted
    assert "is 1.0 MB, over the 1 MB limit" in verdict.message


def test_a_picture_cut_short_or_with_a_broken_checksum_is_refused_as_damaged() -> None:
    whole = png()
    broken = whole[:40] + bytes([whole[40] ^ 0xFF]) + whole[41:]
    for damaged in (whole[:-12], broken, JPEG[:-40]):
        verdict = check_logo("logo.png", damaged)
        assert not verdict.accepted
        assert "cannot be read: it may be damaged" in verdict.message


def test_an_empty_file_and_a_pdf_are_refused() -> None:
    assert "is empty" in check_logo("logo.png", b"").message
    assert "(it is a PDF)" in check_logo("logo.png", b"%PDF-1.7 ...").message
