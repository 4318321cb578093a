/*
 * headless.h: training without a window, for scripts, servers and CI.
 */
#ifndef LEARNFILTER_HEADLESS_H
#define LEARNFILTER_HEADLESS_H

#include "cli.h"

/* Trains as the options say and returns the program's exit code. Progress
 * goes to stderr; the last line on stdout is one JSON object. */
int headless_run(const cli_options *options);

#endif
