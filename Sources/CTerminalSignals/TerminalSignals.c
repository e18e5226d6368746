#include "TerminalSignals.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The one copy of the signal state. */
static volatile sig_atomic_t pending_signal = 0;
static volatile sig_atomic_t curses_active = 0;
static int (*volatile restore_terminal)(void) = 0;
static struct sigaction previous_actions[NSIG];

static void on_termination(int sig) { pending_signal = sig; }

static void on_fatal(int sig) {
    if (curses_active) {
        curses_active = 0;
        /* SGR mouse reports (1006) were turned on by the backend; endwin() does not know them. */
        (void)!write(STDOUT_FILENO, "\033[?1006l", 8);
        if (restore_terminal) restore_terminal();
    }
    sigaction(sig, &previous_actions[sig], NULL);
    raise(sig);
    /* The previous handler (Swift's crash reporter) returns, expecting the faulting
       instruction to fault again. A fatal signal sent from outside (kill -SEGV, kill -ABRT)
       has no such instruction, and the app would carry on with its terminal torn down, so
       end the process with the signal's default action here. */
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);
}

void ea_install_signal_handlers(int (*restore)(void)) {
    static const int termination[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };
    struct sigaction action;
    restore_terminal = restore;
    for (unsigned i = 0; i < sizeof termination / sizeof termination[0]; i++) {
        memset(&action, 0, sizeof action);
        action.sa_handler = on_termination;
        sigemptyset(&action.sa_mask);
        sigaction(termination[i], &action, &previous_actions[termination[i]]);
    }
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        memset(&action, 0, sizeof action);
        action.sa_handler = on_fatal;
        action.sa_flags = SA_NODEFER | SA_RESETHAND;
        sigemptyset(&action.sa_mask);
        sigaction(fatal[i], &action, &previous_actions[fatal[i]]);
    }
    signal(SIGPIPE, SIG_IGN);
}

void ea_set_curses_active(int active) { curses_active = active; }

int ea_pending_signal(void) { return pending_signal; }

void ea_reraise(int sig) {
    sigset_t set;
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* worker threads may block it */
    raise(sig);
    kill(getpid(), sig);
    _exit(128 + sig);
}
