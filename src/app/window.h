/*
 * window.h: the live SDL2 window.
 */
#ifndef LEARNFILTER_WINDOW_H
#define LEARNFILTER_WINDOW_H

#include "cli.h"

/* Opens the window, trains on a worker thread while showing it, and returns
 * the program's exit code when the user quits (or after --frames). */
int window_run(const cli_options *options);

#endif
