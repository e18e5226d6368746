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
static inline int ea_lines(void) { return LINES; }
static inline int ea_cols(void) { return COLS; }
static inline int ea_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t ea_attr_bold(void) { return A_BOLD; }
static inline attr_t ea_attr_reverse(void) { return A_REVERSE; }
static inline attr_t ea_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t ea_attr_dim(void) { return A_DIM; }
static inline attr_t ea_attr_normal(void) { return A_NORMAL; }
static inline int ea_key_resize(void) { return KEY_RESIZE; }
static inline int ea_key_mouse(void) { return KEY_MOUSE; }
static inline int ea_key_f(int n) { return KEY_F(n); }
static inline mmask_t ea_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t ea_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t ea_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t ea_button1_double_clicked(void) { return BUTTON1_DOUBLE_CLICKED; }
static inline mmask_t ea_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t ea_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t ea_all_mouse_events(void) { return ALL_MOUSE_EVENTS; }
static inline int ea_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int ea_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int ea_wcwidth(wchar_t c) { return wcwidth(c); }
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
static inline mmask_t ea_button1_triple_clicked(void) { return BUTTON1_TRIPLE_CLICKED; }
/* newterm on the process's own stdin/stdout; NULL when the terminal cannot be used. */
static inline SCREEN *ea_newterm(void) { return newterm(NULL, stdout, stdin); }

/* Signal handling. Termination signals only record themselves so the input loop can
   restore the terminal and exit; fatal signals restore the terminal at once, put the
   previous handler back and re-raise so the crash is reported as usual. */
/* State lives in function-local statics: Swift's importer emits inline functions but
   not file-scope variables of a header. */
static inline volatile sig_atomic_t *ea_pending_signal_slot(void) {
    static volatile sig_atomic_t value = 0;
    return &value;
}
static inline volatile sig_atomic_t *ea_curses_active_slot(void) {
    static volatile sig_atomic_t value = 0;
    return &value;
}
static inline struct sigaction *ea_previous_actions(void) {
    static struct sigaction actions[NSIG];
    return actions;
}

static inline void ea_on_termination(int sig) { *ea_pending_signal_slot() = sig; }

static inline void ea_on_fatal(int sig) {
    if (*ea_curses_active_slot()) {
        *ea_curses_active_slot() = 0;
        /* SGR mouse reports (1006) were turned on by the backend; endwin() does not know them. */
        (void)!write(STDOUT_FILENO, "\033[?1006l", 8);
        endwin();
    }
    sigaction(sig, &ea_previous_actions()[sig], NULL);
    raise(sig);
    /* The previous handler (Swift's crash reporter) returns, expecting the faulting
       instruction to fault again. A fatal signal sent from outside (kill -SEGV, kill -ABRT)
       has no such instruction, and the app would carry on with its terminal torn down, so
       end the process with the signal's default action here. */
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);
}

static inline void ea_install_signal_handlers(void) {
    static const int termination[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };
    struct sigaction action;
    for (unsigned i = 0; i < sizeof termination / sizeof termination[0]; i++) {
        memset(&action, 0, sizeof action);
        action.sa_handler = ea_on_termination;
        sigemptyset(&action.sa_mask);
        sigaction(termination[i], &action, &ea_previous_actions()[termination[i]]);
    }
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        memset(&action, 0, sizeof action);
        action.sa_handler = ea_on_fatal;
        action.sa_flags = SA_NODEFER | SA_RESETHAND;
        sigemptyset(&action.sa_mask);
        sigaction(fatal[i], &action, &ea_previous_actions()[fatal[i]]);
    }
    signal(SIGPIPE, SIG_IGN);
}

static inline void ea_set_curses_active(int active) { *ea_curses_active_slot() = active; }
static inline int ea_pending_signal(void) { return *ea_pending_signal_slot(); }
/* Ends the process with `sig` and its default action (after the terminal is restored). */
static inline void ea_reraise(int sig) {
    sigset_t set;
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* worker threads may block it */
    raise(sig);
    kill(getpid(), sig);
    _exit(128 + sig);
}
#endif
