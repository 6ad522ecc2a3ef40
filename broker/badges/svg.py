"""Drawing a two-part "flat" badge as SVG, sized by measured text widths.

Widths come from Verdana's advance widths at 11px (the font badges are conventionally set in);
`textLength` pins each text to its measured width, so the badge looks the same whichever
fallback font the viewer has. Text is XML-escaped; nothing the caller passes becomes markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

COLOURS = {
    "brightgreen": "#4c1",
    "green": "#97ca00",
    "yellow": "#dfb317",
    "orange": "#fe7d37",
    "red": "#e05d44",
    "lightgrey": "#9f9f9f",
    "blue": "#007ec6",
    "grey": "#555",
}
FONT_SIZE = 11
UNITS_PER_EM = 2048
PADDING = 5  # each side of each text
HEIGHT = 20

# Verdana advance widths in font units (of 2048 per em), printable ASCII.
_ADVANCES = {
    " ": 720, "!": 809, '"': 937, "#": 1676, "$": 1303, "%": 2211, "&": 1485, "'": 550, "(": 1031, ")": 1031,
    "*": 1303, "+": 1676, ",": 745, "-": 878, ".": 745, "/": 1313, ":": 923, ";": 923, "<": 1676, "=": 1676,
    ">": 1676, "?": 1115, "@": 2048, "[": 1031, "\\": 1313, "]": 1031, "^": 1676, "_": 1303, "`": 1303,
    "{": 1300, "|": 1031, "}": 1300, "~": 1676,
    "A": 1401, "B": 1405, "C": 1430, "D": 1577, "E": 1294, "F": 1178, "G": 1587, "H": 1540, "I": 862,
    "J": 936, "K": 1425, "L": 1145, "M": 1718, "N": 1532, "O": 1612, "P": 1235, "Q": 1612, "R": 1424,
    "S": 1399, "T": 1234, "U": 1499, "V": 1401, "W": 2037, "X": 1405, "Y": 1234, "Z": 1403,
    "a": 1229, "b": 1276, "c": 1067, "d": 1276, "e": 1220, "f": 720, "g": 1276, "h": 1296, "i": 562,
    "j": 676, "k": 1208, "l": 562, "m": 1992, "n": 1296, "o": 1243, "p": 1276, "q": 1276, "r": 874,
    "s": 1041, "t": 807, "u": 1296, "v": 1208, "w": 1686, "x": 1208, "y": 1208, "z": 1075,
}  # fmt: skip
_DIGIT = 1303
_WIDE = 2048  # CJK and other full-width characters
_OTHER = 1303  # anything else: an average Latin letter


def _advance(character: str) -> int:
    if character.isdigit() and character.isascii():
        return _DIGIT
    if character in _ADVANCES:
        return _ADVANCES[character]
    if "\u1100" <= character <= "\uffdc":
        return _WIDE
    return _OTHER


def text_width(text: str) -> float:
    """The width of `text` in pixels at 11px Verdana."""
    return sum(_advance(character) for character in text) * FONT_SIZE / UNITS_PER_EM


@dataclass(frozen=True)
class Badge:
    left: str
    right: str
    colour: str

    @property
    def hex_colour(self) -> str:
        return COLOURS.get(self.colour, COLOURS["lightgrey"])


def render(badge: Badge, comment: str | None = None) -> str:
    """The badge as a standalone SVG document (with an accessible name: "left: right")."""
    left_text = round(text_width(badge.left), 1)
    right_text = round(text_width(badge.right), 1)
    left_width = round(left_text + 2 * PADDING)
    right_width = round(right_text + 2 * PADDING)
    width = left_width + right_width
    name = f"{badge.left}: {badge.right}"
    texts = []
    for content, centre, length in (
        (badge.left, left_width / 2, left_text),
        (badge.right, left_width + right_width / 2, right_text),
    ):
        x, scaled = round(centre * 10), round(length * 10)
        texts.append(
            f'<text aria-hidden="true" x="{x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" '
            f'textLength="{scaled}">{escape(content)}</text>'
            f'<text x="{x}" y="140" transform="scale(.1)" fill="#fff" textLength="{scaled}">{escape(content)}</text>'
        )
    prefix = f"<!-- {escape(comment).replace('--', '- -')} -->\n" if comment else ""
    return (
        f'{prefix}<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" role="img" '
        f"aria-label={quoteattr(name)}><title>{escape(name)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left_width}" height="{HEIGHT}" fill="{COLOURS["grey"]}"/>'
        f'<rect x="{left_width}" width="{right_width}" height="{HEIGHT}" fill="{badge.hex_colour}"/>'
        f'<rect width="{width}" height="{HEIGHT}" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        f'text-rendering="geometricPrecision" font-size="110">{"".join(texts)}</g></svg>'
    )
