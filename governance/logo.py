"""Whether an uploaded letterhead logo is a whole PNG or JPEG picture of at most 1 MB, or why not.

What the file is comes from its content, never its name: a GIF renamed logo.png is refused. A
picture goes into every letter, pack and set of minutes, so it must also open: a PNG whose
chunks fail their checksums, or a JPEG cut short, is refused as damaged.
"""

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum

from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image

MB = 1024 * 1024
MAX_BYTES = 1 * MB
MAX_PIXELS = 8000  # on either side: a letterhead needs a few hundred
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"


class Picture(StrEnum):
    PNG = "png"
    JPEG = "jpeg"


@dataclass(frozen=True, slots=True)
class LogoVerdict:
    accepted: bool
    message: str
    kind: Picture | None = None
    width: int = 0
    height: int = 0
    sha256: str = ""


def check_logo(name: str, data: bytes) -> LogoVerdict:
    shown = _shown(name)
    digest = hashlib.sha256(data).hexdigest()
    if not data:
        return LogoVerdict(False, f"{shown} is empty (0 bytes): choose the picture again")
    if len(data) > MAX_BYTES:
        return LogoVerdict(
            False,
            f"{shown} is {len(data) / MB:.1f} MB, over the 1 MB limit: save a smaller copy "
            "(a few hundred pixels wide is plenty for a letterhead) and upload that",
        )
    if data.startswith(PNG_SIGNATURE):
        kind = Picture.PNG
        whole = _png_is_whole(data)
    elif data.startswith(JPEG_START):
        kind = Picture.JPEG
        whole = JPEG_END in data[-64:]
    else:
        return LogoVerdict(False, f"{shown} is not a PNG or JPEG picture{_guess(data)}")
    damaged = f"{shown} looks like a {kind.name} picture but cannot be read: it may be damaged or "
    damaged += "only partly uploaded; save it again and upload it again"
    if not whole:
        return LogoVerdict(False, damaged)
    try:
        image = Image.from_blob(data)
    except (UnrecognizedImageError, struct.error, ValueError, IndexError, KeyError):
        return LogoVerdict(False, damaged)
    width, height = image.px_width, image.px_height
    if not (0 < width <= MAX_PIXELS and 0 < height <= MAX_PIXELS):
        return LogoVerdict(
            False,
            f"{shown} is {width} by {height} pixels: a logo must be between 1 and "
            f"{MAX_PIXELS} pixels on each side",
        )
    return LogoVerdict(
        True,
        f"{shown} is a {kind.name} picture of {width} by {height} pixels",
        kind,
        width,
        height,
        digest,
    )


def _shown(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip()[:120]
    return cleaned or "The file"


def _png_is_whole(data: bytes) -> bool:
    """Every chunk's length fits, its checksum matches, and the picture ends with IEND."""
    stream = io.BytesIO(data[len(PNG_SIGNATURE) :])
    first = True
    while True:
        head = stream.read(8)
        if len(head) < 8:
            return False
        length, kind = struct.unpack(">I4s", head)
        if first and kind != b"IHDR":
            return False
        first = False
        body = stream.read(length)
        crc = stream.read(4)
        if len(body) < length or len(crc) < 4:
            return False
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            return False
        if kind == b"IEND":
            return True


def _guess(data: bytes) -> str:
    signatures = {
        b"GIF8": " (it is a GIF picture: save it as PNG)",
        b"%PDF-": " (it is a PDF)",
        b"PK\x03\x04": " (it is a Word document or other zip file)",
        b"BM": " (it is a BMP picture: save it as PNG)",
        b"RIFF": " (it may be a WebP picture: save it as PNG)",
        b"<svg": " (it is an SVG drawing: save it as PNG)",
        b"<?xml": " (it is an XML file, perhaps an SVG drawing: save it as PNG)",
    }
    return next((text for magic, text in signatures.items() if data.startswith(magic)), "")
