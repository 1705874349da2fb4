#!/usr/bin/env python3
"""Turns a terminal capture with SGR colour codes (tmux capture-pane -e) into a standalone HTML page.

Used by scripts/screenshots to render real TUI screens to PNG through headless Chromium.
"""
import html
import re
import sys

# xterm's default 16 colours, then the 6x6x6 cube and the grey ramp.
BASE16 = ["#1d1f21", "#cc6666", "#b5bd68", "#f0c674", "#81a2be", "#b294bb", "#8abeb7", "#c5c8c6",
          "#666666", "#d54e53", "#b9ca4a", "#e7c547", "#7aa6da", "#c397d8", "#70c0b1", "#eaeaea"]


def palette(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (levels[n // 36], levels[(n // 6) % 6], levels[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def convert(text, title):
    fg = bg = None
    bold = dim = underline = reverse = False
    out = []
    for line in text.split("\n"):
        parts = re.split(r"(\x1b\[[0-9;]*m)", line)
        row = []
        for part in parts:
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")] or [0]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg = bg = None
                        bold = dim = underline = reverse = False
                    elif c == 1: bold = True
                    elif c == 2: dim = True
                    elif c == 4: underline = True
                    elif c == 7: reverse = True
                    elif c == 22: bold = dim = False
                    elif c == 24: underline = False
                    elif c == 27: reverse = False
                    elif 30 <= c <= 37: fg = palette(c - 30)
                    elif 90 <= c <= 97: fg = palette(c - 90 + 8)
                    elif 40 <= c <= 47: bg = palette(c - 40)
                    elif 100 <= c <= 107: bg = palette(c - 100 + 8)
                    elif c == 39: fg = None
                    elif c == 49: bg = None
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        if c == 38: fg = palette(codes[i + 2])
                        else: bg = palette(codes[i + 2])
                        i += 2
                    elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                        color = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                        if c == 38: fg = color
                        else: bg = color
                        i += 4
                    i += 1
                continue
            if not part:
                continue
            f, b = fg or "#c5c8c6", bg
            if reverse:
                f, b = (b or "#1d1f21"), (fg or "#c5c8c6")
            style = "color:%s;" % f
            if b: style += "background:%s;" % b
            if bold: style += "font-weight:bold;"
            if dim: style += "opacity:0.6;"
            if underline: style += "text-decoration:underline;"
            row.append('<span style="%s">%s</span>' % (style, html.escape(part)))
        out.append("".join(row))
    body = "\n".join(out)
    return ("<!doctype html><meta charset='utf-8'><title>%s</title><style>"
            "body{margin:0;background:#1d1f21}"
            "pre{margin:0;padding:14px 16px;font:14px/1.25 'DejaVu Sans Mono','Liberation Mono',monospace;color:#c5c8c6;background:#1d1f21}"
            "</style><pre>%s</pre>" % (html.escape(title), body))


if __name__ == "__main__":
    sys.stdout.write(convert(sys.stdin.read(), sys.argv[1] if len(sys.argv) > 1 else "llmtrace"))
