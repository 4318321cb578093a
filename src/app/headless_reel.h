/*
 * headless_reel.h: --reel in the headless trainer: the reel's history kept
 * as the run trains, and the movie written at its end (reel.h). What the
 * run loop needs and nothing more, so it stays a few lines there.
 */
#ifndef LEARNFILTER_HEADLESS_REEL_H
#define LEARNFILTER_HEADLESS_REEL_H

#include "cli.h"
#include "reel.h"

/* Makes the history for the trainer's kernel and keeps its first point.
 * EXIT_OK, or EXIT_USAGE (said on stderr) for a layer the presentation
 * layout cannot show, or EXIT_INPUT when out of memory. */
int headless_reel_begin(reel_history *reel, lf_trainer *trainer);

/* Keeps the run's last point, writes the reel to o->reel and frees the
 * history. Says where it went (or why not) on stderr. EXIT_OK or
 * EXIT_INPUT. */
int headless_reel_end(reel_history *reel, const cli_options *o, lf_trainer *trainer,
                      int file_count);

#endif
