/*
 * setup.h: turning the command line into a dataset, a kernel and a trainer.
 *
 * The window and the headless trainer start the same way; this is that
 * start, in one place, so both accept exactly the same options and fail on
 * bad input with the same messages.
 */
#ifndef LEARNFILTER_SETUP_H
#define LEARNFILTER_SETUP_H

#include <stdio.h>

#include "cli.h"
#include "learnfilter/dataset.h"
#include "learnfilter/error.h"
#include "learnfilter/kernel.h"
#include "learnfilter/target.h"
#include "learnfilter/trainer.h"

/* Most filters of a layer the window shows: one row each, and more than
 * eight rows are too thin for a class to read (--headless trains more). */
#define APP_WINDOW_MAX_FILTERS 8

typedef struct app_setup {
    lf_dataset dataset;
    lf_kernel kernel;     /* learned against: the kernel, or with --target the best
                             linear filter (named after the operation); for a layer
                             of several filters or channels the bank (F, C, h, w) */
    lf_layer_options layer; /* --color, the bank's filters, --stride, --pool,
                               --activation */
    lf_trainer *trainer;
    lf_target target;     /* --target, or unset */
    /* The best linear filter with bias over the training patches (target.h):
     * with --target the trainer's reference; with --noise and a kernel, what
     * noisy inputs make of that kernel. best.values is 0 when neither. */
    lf_best_fit best;
    double best_rel_err_to_kernel; /* ||best - kernel|| / ||kernel|| when the target is
                                      a kernel of the layer's shape; NaN otherwise */
} app_setup;

/* Loads the images (the bundled photographs when none are given), resolves
 * the kernel and creates the trainer. Skipped files are reported through
 * warn. On failure everything is freed and err says why; err->status tells
 * bad input (LF_ERR_INPUT, LF_ERR_IO) from bad options (LF_ERR_ARGUMENT). */
lf_status app_setup_create(app_setup *setup, const cli_options *options, lf_warning_fn warn,
                           lf_progress_fn progress, void *user, lf_error *err);
void app_setup_destroy(app_setup *setup);

/* The trainer part of app_setup_create: a trainer for setup's dataset,
 * kernel, target and layer (all filled) with the training options of o.
 * A race makes its second run this way on a copy of the first's data. */
lf_status app_setup_trainer(app_setup *setup, const cli_options *options, lf_error *err);

/* The dataset options the command line asks for, with paths defaulting to
 * the bundled photographs. */
lf_dataset_options app_dataset_options(const cli_options *options);

/* The exit code for a failed setup or run: 2 for bad options, 3 for input. */
int app_exit_code(lf_status status);

/* Folder of the bundled photographs and of the font and other assets. */
const char *app_data_dir(void);
const char *app_assets_dir(void);

#endif
