#ifndef EMAIL_AUDIT_CNCURSES_SHIM_H
#define EMAIL_AUDIT_CNCURSES_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <string.h>
#include <ncursesw/curses.h>

/* Macros and variadic calls Swift cannot import, as static inline functions. */
static inline WINDOW *ea_stdscr(void) { return stdscr; }
static inline int ea_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t ea_attr_bold(void) { return A_BOLD; }
static inline attr_t ea_attr_reverse(void) { return A_REVERSE; }
static inline attr_t ea_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t ea_attr_dim(void) { return A_DIM; }
static inline attr_t ea_attr_normal(void) { return A_NORMAL; }
static inline int ea_key_resize(void) { return KEY_RESIZE; }
static inline int ea_key_mouse(void) { return KEY_MOUSE; }
static inline mmask_t ea_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t ea_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t ea_button1_double_clicked(void) { return BUTTON1_DOUBLE_CLICKED; }
static inline mmask_t ea_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t ea_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline int ea_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int ea_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int ea_add_wide(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) != OK) return -2; /* the glyph itself is unusable */
    return mvadd_wch(y, x, &cell);
}

/* Added for the terminal front end (TerminalUI/Backend/CursesBackend.swift is the only user). */
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int ea_colors(void) { return COLORS; }
static inline int ea_color_pairs_available(void) { return COLOR_PAIRS; }
/* newterm on the process's own stdin/stdout; NULL when the terminal cannot be used. */
static inline SCREEN *ea_newterm(void) { return newterm(NULL, stdout, stdin); }
/* Signal handling lives in the CTerminalSignals target (one definition of its state). */

/* Non-UTF-8 locales and unusable terminals (issue 14). */
#include <ncursesw/term.h>

/* The alternate-character-set glyph for a VT100 line-drawing code ('q' horizontal line,
   'x' vertical line, 'l' 'k' 'm' 'j' corners, 't' 'u' 'w' 'v' tees, 'n' cross). Where the
   terminal has no alternate character set, ncurses gives '-', '|' or '+' instead. */
static inline chtype ea_acs(char code) { return NCURSES_ACS(code); }
static inline int ea_add_acs(int y, int x, chtype glyph, attr_t attrs, short pair) {
    return mvaddch(y, x, glyph | attrs | (chtype)COLOR_PAIR(pair));
}

/* Whether the terminal named by TERM can run a full screen, checked before newterm and
   without writing to it: 0 usable, 1 TERM unset, 2 no terminfo entry for TERM, 3 no
   terminfo database, 4 the terminal cannot move the cursor (dumb, hard-copy). */
static inline int ea_check_terminal(void) {
    const char *term = getenv("TERM");
    if (term == NULL || *term == '\0') return 1;
    int status = 0;
    if (setupterm(term, STDOUT_FILENO, &status) != OK) return status == -1 ? 3 : 2;
    const char *cup = tigetstr("cup");
    int usable = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    return usable ? 0 : 4;
}
#endif
