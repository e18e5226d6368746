#ifndef EMAIL_AUDIT_TERMINAL_SIGNALS_H
#define EMAIL_AUDIT_TERMINAL_SIGNALS_H

/* Signal handling for the terminal front end (TerminalUI/Backend/CursesBackend.swift is the
   only user). The state lives in TerminalSignals.c, one definition for the whole process:
   header-only statics were duplicated per importing unit in optimised builds, so the handler
   wrote one copy while the input loop read another. */

/* Installs the handlers. Termination signals (SIGTERM, SIGHUP, SIGINT, SIGQUIT) only record
   themselves so the input loop can restore the terminal and exit; fatal signals (SIGSEGV,
   SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) call `restore` at once, put the previous
   handler back and re-raise so the crash is reported as usual. SIGPIPE is ignored. */
void ea_install_signal_handlers(int (*restore)(void));

/* Whether the terminal is in curses mode (the fatal handler restores it only then). */
void ea_set_curses_active(int active);

/* The termination signal that arrived, or 0. */
int ea_pending_signal(void);

/* Ends the process with `sig` and its default action (after the terminal is restored). */
void ea_reraise(int sig) __attribute__((noreturn));

#endif
