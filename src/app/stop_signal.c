/*
 * stop_signal.c: SIGINT and SIGTERM as a request to stop. See
 * stop_signal.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "stop_signal.h"

#include <string.h>
#include <unistd.h>

#include "learnfilter/export.h"

static volatile sig_atomic_t received;

static void on_stop_signal(int sig)
{
    if (received) {
        lf_atomic_remove_temporaries();
        _exit(128 + sig);
    }
    received = sig;
}

void stop_signal_catch(stop_signal_saved *saved)
{
    received = 0;
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

int stop_signal_received(void) { return received; }
