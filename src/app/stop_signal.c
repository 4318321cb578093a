/*
 * stop_signal.c: SIGINT and SIGTERM as a request to stop. See
 * stop_signal.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "stop_signal.h"

#include <assert.h> /* static_assert */
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "learnfilter/export.h"

/* The signal goes to whichever thread the kernel picks (a training thread
 * or the recorder as often as the main one), so the flag is an atomic, not
 * a volatile sig_atomic_t, which only holds within one thread. Lock-free,
 * so the handler may use it. Two signals arriving together on two threads
 * both exchange it, and exactly one of them sees the other's. */
static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs a lock-free int");
static atomic_int received;

static void on_stop_signal(int sig)
{
    if (atomic_exchange(&received, sig) != 0) {
        lf_atomic_remove_temporaries();
        _exit(128 + sig);
    }
}

void stop_signal_catch(stop_signal_saved *saved)
{
    atomic_store(&received, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &saved->interrupt);
    sigaction(SIGTERM, &action, &saved->terminate);
}

void stop_signal_restore(const stop_signal_saved *saved)
{
    sigaction(SIGINT, &saved->interrupt, NULL);
    sigaction(SIGTERM, &saved->terminate, NULL);
}

int stop_signal_received(void) { return atomic_load(&received); }
