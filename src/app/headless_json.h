/*
 * headless_json.h: the one JSON object a headless run ends with, on stdout.
 * The README lists its fields.
 */
#ifndef LEARNFILTER_HEADLESS_JSON_H
#define LEARNFILTER_HEADLESS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "setup.h"

/* What the run leaves to report beyond the trainer's own figures. */
typedef struct headless_report {
    const app_setup *setup;      /* the trainer, dataset, kernel and best fit */
    const cli_options *options;  /* resolved (threads filled in) */
    double wall_s;               /* the training loop's wall time */
    double steps_per_s;          /* over the whole run */
    double steady_steps_per_s;   /* after the first epoch; NaN before one ended */
    bool diverged;
    bool race;                   /* one of a race's runs: adds converged_s */
    double converged_s;          /* with race: seconds of training to --tol; NaN: not reached */
} headless_report;

/* Writes the object and a newline to out; the caller checks the stream. */
void headless_print_json(FILE *out, const headless_report *r);
/* The same object's fields, without the braces: a race nests the second
 * run's inside the first's. */
void headless_print_json_fields(FILE *out, const headless_report *r);

#endif
