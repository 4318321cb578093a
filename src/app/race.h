/*
 * race.h: two runs that differ by a few training options, from the same
 * initial weights on the same batches.
 *
 * --race 'OPTIONS' names what the second run changes (for example
 * "--optimizer adam --lr 0.01" or "--batch 1"). The options go through the
 * program's own parser (cli.h) on top of a copy of the first run's, so they
 * read and fail exactly as on the command line. Only the optimizer's
 * settings, the batch and the engine may differ: both runs learn the same
 * kernel from the same patches with the same seed, so the initial weights
 * and the order of the patches are the same (the trainer draws both from
 * the seed alone), and both stop on the same limits and tolerance.
 *
 * Headless, race_headless_run trains the two in turn, each with the whole
 * machine, and prints one JSON object: the first run's figures, the second's
 * under "race" with the same keys, and which reached --tol first, in steps
 * and in seconds. The window (race_window.h) shows the two side by side.
 *
 *   cli_options second;
 *   if (race_options(&first, first.race, &second, &err) != LF_OK) ... err.message
 */
#ifndef LEARNFILTER_RACE_H
#define LEARNFILTER_RACE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "learnfilter/error.h"
#include "learnfilter/trainer.h"
#include "setup.h"

/* The longest --race text and the most words it may hold. */
#define RACE_TEXT_MAX 1024
#define RACE_MAX_WORDS 32

/* What a race may change, as the refusals list it. */
#define RACE_MAY_CHANGE "--optimizer, --lr, --momentum, --nesterov, --no-nesterov, --batch, --engine"

/* The second run's options: *first with the options in text (words split
 * at spaces, as a shell would without quotes) applied on top; out->race is
 * NULL. Fails with LF_ERR_ARGUMENT, err saying why: a word the parser
 * refuses (its own message), or an option a race may not change (the
 * message lists those it may). */
lf_status race_options(const cli_options *first, const char *text, cli_options *out,
                       lf_error *err);

/* The options of a headless run with --race that a race cannot serve (its
 * output is one JSON object): NULL when none, else the option's name. */
const char *race_refused_output(const cli_options *o);

/* The second run's setup: a copy of first's photographs, patches, kernel
 * and layer, with a new trainer on the training options of race (made by
 * race_options). On failure *out is empty and err says why. The caller
 * owns *out (app_setup_destroy). */
lf_status race_setup_create(app_setup *out, const app_setup *first, const cli_options *race,
                            lf_error *err);

/* A deep copy of src into dst (the caller owns it: lf_dataset_deinit);
 * LF_ERR_NOMEM leaves dst empty. */
lf_status race_dataset_copy(lf_dataset *dst, const lf_dataset *src, lf_error *err);

/* Says in words what differs between two trainers' settings, the second's
 * values: "Adam lr 0.001" or "batch 1". "nothing" when nothing does. */
void race_describe(const lf_train_settings *first, lf_engine first_engine,
                   const lf_train_settings *second, lf_engine second_engine, char *out,
                   size_t size);

/* Which run reached the tolerance first. */
typedef enum race_winner {
    RACE_NEITHER = 0, /* neither has reached it */
    RACE_FIRST,
    RACE_SECOND,
    RACE_TIE          /* both, at the same step (or second) */
} race_winner;

const char *race_winner_name(race_winner w); /* "neither", "first", "race", "tie" */

/* By steps: from each run's converged_step (-1 when not reached). A run
 * that has not reached it yet loses only once it has taken more steps than
 * the other needed; until then it is NEITHER (the race is open). */
race_winner race_by_steps(long first_converged, long first_step, long second_converged,
                          long second_step);

/* Trains both runs of options->race and prints the JSON; the program's
 * exit code, that of the first run. */
int race_headless_run(const cli_options *options);

#endif
