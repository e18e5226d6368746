#!/usr/bin/env python3
"""Renders a `tmux capture-pane -e -p` dump (text with SGR colour codes) to a PNG.

The dump is replayed into a pyte screen of the given size; each cell is then drawn with
DejaVu Sans Mono (bold cells with the bold face) in a fixed palette, so the same dump
always gives the same picture. Box-drawing lines are drawn as lines, not glyphs, so
borders join without gaps.

Usage: python3 scripts/ans2png.py --cols 120 --rows 36 scene.ans scene.png
Needs pyte and Pillow (pip install pyte pillow) and fonts-dejavu-core.
"""

import argparse
import sys

import pyte
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONT_SIZE = 15  # DejaVu Sans Mono advances 0.602 em: 9.03 px, so cells are 9 px wide
MARGIN = 12

BACKGROUND = (0x1c, 0x1f, 0x26)
FOREGROUND = (0xd8, 0xdc, 0xe2)
# The 16 ANSI colours (a dark theme), then xterm's 6×6×6 cube and grey ramp.
ANSI16 = [
    (0x1c, 0x1f, 0x26), (0xe0, 0x55, 0x5b), (0x74, 0xc0, 0x6c), (0xe5, 0xc0, 0x6a),
    (0x5a, 0x8f, 0xe0), (0xc6, 0x78, 0xdd), (0x56, 0xb6, 0xc2), (0xd8, 0xdc, 0xe2),
    (0x6b, 0x72, 0x80), (0xff, 0x75, 0x7b), (0x98, 0xd8, 0x8f), (0xf2, 0xd5, 0x8a),
    (0x80, 0xaa, 0xf0), (0xdc, 0x9a, 0xee), (0x7c, 0xd4, 0xde), (0xff, 0xff, 0xff),
]
NAMES = ["black", "red", "green", "brown", "blue", "magenta", "cyan", "white"]


def xterm256():
    table = list(ANSI16)
    steps = [0, 95, 135, 175, 215, 255]
    for r in steps:
        for g in steps:
            for b in steps:
                table.append((r, g, b))
    for i in range(24):
        v = 8 + 10 * i
        table.append((v, v, v))
    return table


PALETTE = xterm256()
# pyte turns 256-colour indices into hex with its own table; map those back to ours.
PYTE_HEX = {hexcode.lower(): PALETTE[i] for i, hexcode in reversed(list(enumerate(pyte.graphics.FG_BG_256)))}


def colour(value, default):
    if value == "default":
        return default
    name = value.lower()
    if name.startswith("bright") and name[6:] in NAMES:
        return ANSI16[8 + NAMES.index(name[6:])]
    if name in NAMES:
        return ANSI16[NAMES.index(name)]  # bold is drawn with the bold face, not brightened
    if name in PYTE_HEX:
        return PYTE_HEX[name]
    if len(name) == 6:
        return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
    return default


# Light box-drawing characters: which arms (up, down, left, right) each one has.
BOX = {
    "─": "lr", "│": "ud", "┌": "dr", "┐": "dl", "└": "ur", "┘": "ul",
    "├": "udr", "┤": "udl", "┬": "dlr", "┴": "ulr", "┼": "udlr",
    "╭": "dr", "╮": "dl", "╰": "ur", "╯": "ul",
}


def render(ans_path, png_path, cols, rows):
    screen = pyte.Screen(cols, rows)
    stream = pyte.Stream(screen)
    with open(ans_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # Each captured line is one screen row; place them explicitly (no wrapping or scrolling).
    for row, line in enumerate(lines[:rows]):
        stream.feed(f"\x1b[{row + 1};1H" + line)

    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", FONT_SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", FONT_SIZE)
    ascent, descent = regular.getmetrics()
    cw = round(regular.getlength("M"))
    ch = ascent + descent
    image = Image.new("RGB", (cols * cw + 2 * MARGIN, rows * ch + 2 * MARGIN), BACKGROUND)
    draw = ImageDraw.Draw(image)

    for y in range(rows):
        line = screen.buffer[y]
        x = 0
        while x < cols:
            cell = line[x]
            char = cell.data or " "
            wide = x + 1 < cols and line[x + 1].data == "" and char != " "
            span = 2 if wide else 1
            fg = colour(cell.fg, FOREGROUND)
            bg = colour(cell.bg, BACKGROUND)
            if cell.reverse:
                fg, bg = bg, fg
            left, top = MARGIN + x * cw, MARGIN + y * ch
            right, bottom = left + span * cw, top + ch
            if bg != BACKGROUND:
                draw.rectangle([left, top, right - 1, bottom - 1], fill=bg)
            if char in BOX:
                arms = BOX[char]
                mx, my = left + cw // 2, top + ch // 2
                if "l" in arms: draw.line([left, my, mx, my], fill=fg)
                if "r" in arms: draw.line([mx, my, right - 1, my], fill=fg)
                if "u" in arms: draw.line([mx, top, mx, my], fill=fg)
                if "d" in arms: draw.line([mx, my, mx, bottom - 1], fill=fg)
            elif char != " ":
                draw.text((left, top), char, font=bold if cell.bold else regular, fill=fg)
            if cell.underscore:
                draw.line([left, bottom - 2, right - 1, bottom - 2], fill=fg)
            x += span
    image.save(png_path, optimize=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cols", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("ans")
    parser.add_argument("png")
    args = parser.parse_args()
    render(args.ans, args.png, args.cols, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
