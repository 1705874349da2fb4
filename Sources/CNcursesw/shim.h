// ncursesw for Swift. SwiftPM drops pkg-config's -D flags, so the wide-character feature macros are
// defined here, and the function-like macros Swift cannot import are wrapped in static inline functions.
#ifndef LLMTRACE_CNCURSESW_SHIM_H
#define LLMTRACE_CNCURSESW_SHIM_H

#define _DEFAULT_SOURCE 1
#define _XOPEN_SOURCE 600
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1

#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *llmtrace_stdscr(void) { return stdscr; }
static inline int llmtrace_lines(void) { return LINES; }
static inline int llmtrace_cols(void) { return COLS; }
static inline int llmtrace_colors(void) { return COLORS; }
static inline int llmtrace_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t llmtrace_a_normal(void) { return A_NORMAL; }
static inline attr_t llmtrace_a_bold(void) { return A_BOLD; }
static inline attr_t llmtrace_a_dim(void) { return A_DIM; }
static inline attr_t llmtrace_a_underline(void) { return A_UNDERLINE; }
static inline attr_t llmtrace_a_reverse(void) { return A_REVERSE; }
static inline int llmtrace_key_resize(void) { return KEY_RESIZE; }
static inline int llmtrace_key_code_yes(void) { return KEY_CODE_YES; }
static inline int llmtrace_err(void) { return ERR; }

/// Puts one cell (a grapheme given as wide characters) with attributes and a colour pair.
static inline int llmtrace_put_cell(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}
#endif
