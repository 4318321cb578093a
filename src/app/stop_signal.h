/*
 * stop_signal.h: SIGINT and SIGTERM as a request to stop, for the headless
 * run.
 *
 * A run that is killed keeps nothing it trained and leaves its temporary
 * files behind. Instead, the first SIGINT or SIGTERM only sets a flag the
 * training loop reads between steps; the run then finishes its files and
 * exits with the shell's code for the signal (128 + its number: 130 for
 * SIGINT, 143 for SIGTERM). A second signal means "now": the handler
 * removes every open temporary file (lf_atomic_remove_temporaries, which
 * only calls unlink) and _exits with that code.
 */
#ifndef LEARNFILTER_STOP_SIGNAL_H
#define LEARNFILTER_STOP_SIGNAL_H

#include <signal.h>

typedef struct stop_signal_saved {
    struct sigaction interrupt, terminate; /* the handlers before ours */
} stop_signal_saved;

/* Installs the handlers and clears the flag; saved keeps the old ones. */
void stop_signal_catch(stop_signal_saved *saved);
/* Puts the old handlers back. */
void stop_signal_restore(const stop_signal_saved *saved);
/* The signal that asked to stop (SIGINT or SIGTERM), or 0. */
int stop_signal_received(void);

#endif
