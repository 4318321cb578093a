/*
 * headless.c: the command-line trainer.
 *
 * It runs the same trainer the window drives, until the first of: the epoch
 * limit, the step limit, the tolerance, the time limit, or divergence. It
 * shows a progress bar on stderr when stderr is a terminal (a plain line
 * every few seconds otherwise) and ends with one JSON object on stdout that
 * a script can parse.
 *
 * With --gif or --video it also makes the movie the original experiment
 * ended with (headless_movie.h).
 *
 * Every output path is checked before anything is loaded (output_check.h).
 * SIGINT or SIGTERM stops the run at the next step with its files finished
 * (stop_signal.h); --max-seconds is read by stop_clock.h; the weight
 * history and the movie have bounds (export.h, headless_movie.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "headless.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "headless_json.h"
#include "headless_movie.h"
#include "headless_reel.h"
#include "learnfilter/export.h"
#include "movie.h"
#include "output_check.h"
#include "race.h"
#include "recorder.h"
#include "scene.h"
#include "setup.h"
#include "stop_clock.h"
#include "stop_signal.h"
#include "state_file.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Warnings from loading are held until the setup is known to succeed: a
 * failed start then prints exactly one line (the error, which gives the
 * first skipped file's reason itself), and a good one prints them all
 * before training starts. Past the buffer only a count is kept. */
#define HELD_WARNINGS_BYTES 16384
typedef struct held_warnings {
    char text[HELD_WARNINGS_BYTES];
    size_t used;
    int dropped;
} held_warnings;

static void hold_warning(void *user, const char *message)
{
    held_warnings *h = user;
    int n = snprintf(h->text + h->used, sizeof h->text - h->used,
                     "learnfilter: warning: %s\n", message);
    if (n < 0 || (size_t)n >= sizeof h->text - h->used) {
        h->text[h->used] = 0; /* drop the partial line */
        h->dropped++;
        return;
    }
    h->used += (size_t)n;
}

static void print_held_warnings(const held_warnings *h)
{
    fputs(h->text, stderr);
    if (h->dropped)
        fprintf(stderr, "learnfilter: warning: %d more files skipped\n", h->dropped);
}

static void print_progress(const lf_figures *f, long epoch_limit, double steps_per_s, bool tty)
{
    char bar[32];
    double done = epoch_limit > 0 ? (f->epoch + (double)f->step_in_epoch / f->steps_per_epoch) /
                                        (double)epoch_limit
                                  : 0;
    if (done > 1)
        done = 1;
    int filled = (int)(done * 20);
    for (int i = 0; i < 20; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[20] = 0;
    char epochs[32];
    if (epoch_limit > 0)
        snprintf(epochs, sizeof epochs, "%d/%ld", f->epoch, epoch_limit);
    else
        snprintf(epochs, sizeof epochs, "%d", f->epoch);
    fprintf(stderr, "%s%s%s%s epoch %s  step %ld  loss %.3e  error %.2f%%  %.0f steps/s%s",
            tty ? "\r" : "", epoch_limit > 0 ? "[" : "", epoch_limit > 0 ? bar : "",
            epoch_limit > 0 ? "]" : "", epochs, f->step,
            isfinite(f->step_loss) ? f->step_loss : 0.0, 100.0 * f->rel_err, steps_per_s,
            tty ? "\033[K" : "\n");
    fflush(stderr);
}

/* Epoch orders written by --dump-patches: enough for any comparison run
 * (a few million indices at most). */
#define DUMP_MAX_ORDER_ENTRIES (4L * 1000 * 1000)
#define DUMP_MAX_EPOCHS 20000

/* --dump-patches: the patches the network sees (training patches first,
 * then validation), the order the first epochs visit them in and the
 * initial weights and the true kernel, so another framework can run
 * exactly this training.
 * Indices are stored as float32 (exact below 2^24) to keep one writer. */
static lf_status dump_training_data(const app_setup *s, const char *path, lf_error *err)
{
    const lf_dataset *ds = &s->dataset;
    const lf_layer_options *layer = &lf_trainer_get_options(s->trainer)->layer;
    /* Gray patches stay (n, H, W); colour ones are (n, C, H, W). */
    size_t shape[4] = {(size_t)ds->patch_count, (size_t)ds->patch_size, (size_t)ds->patch_size,
                       0};
    int ndim = 3;
    if (ds->channels > 1) {
        size_t colour[4] = {(size_t)ds->patch_count, (size_t)ds->channels,
                            (size_t)ds->patch_size, (size_t)ds->patch_size};
        memcpy(shape, colour, sizeof shape);
        ndim = 4;
    }
    lf_status st = lf_npy_write_f32(path, ds->inputs, shape, ndim, err);
    if (st != LF_OK)
        return st;
    char other[4200];
    long epochs = DUMP_MAX_ORDER_ENTRIES / ds->train_count;
    if (epochs > DUMP_MAX_EPOCHS)
        epochs = DUMP_MAX_EPOCHS;
    size_t count = (size_t)epochs * (size_t)ds->train_count;
    int *order = malloc(sizeof(int) * count);
    float *order_f = malloc(sizeof(float) * count);
    if (!order || !order_f) {
        free(order);
        free(order_f);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the epoch order");
    }
    epochs = lf_trainer_epoch_orders(s->trainer, (int)epochs, order, count);
    for (size_t i = 0; i < count; i++)
        order_f[i] = (float)order[i];
    free(order);
    output_sibling_path(other, sizeof other, path, output_dump_suffixes[0]);
    size_t order_shape[2] = {(size_t)epochs, (size_t)ds->train_count};
    st = lf_npy_write_f32(other, order_f, order_shape, 2, err);
    free(order_f);
    if (st != LF_OK)
        return st;
    /* The initial and true weights: (h, w) for one gray filter, (F, C, h, w)
     * for a bank (the initial biases are zero). */
    output_sibling_path(other, sizeof other, path, output_dump_suffixes[1]);
    size_t kernel_shape[4] = {(size_t)s->kernel.height, (size_t)s->kernel.width, 0, 0};
    int kernel_ndim = 2;
    if (!lf_layer_options_plain(layer) && (layer->filters > 1 || layer->channels > 1)) {
        size_t bank[4] = {(size_t)layer->filters, (size_t)layer->channels,
                          (size_t)s->kernel.height, (size_t)s->kernel.width};
        memcpy(kernel_shape, bank, sizeof kernel_shape);
        kernel_ndim = 4;
    }
    st = lf_npy_write_f32(other, lf_trainer_weights(s->trainer), kernel_shape, kernel_ndim, err);
    if (st != LF_OK)
        return st;
    output_sibling_path(other, sizeof other, path, output_dump_suffixes[2]);
    return lf_npy_write_f32(other, s->kernel.weights, kernel_shape, kernel_ndim, err);
}

static int run(const cli_options *options);

int headless_run(const cli_options *options)
{
    stop_signal_saved saved;
    stop_signal_catch(&saved);
    int code = options->race ? race_headless_run(options) : run(options);
    int stopped_by = stop_signal_received();
    /* Stopped by a signal with every file finished: the shell's code for
     * that signal (130 for SIGINT, 143 for SIGTERM), as if it had killed
     * the program, so a script sees the run did not end on its own. */
    if (stopped_by && (code == EXIT_OK || code == EXIT_NOT_CONVERGED))
        code = 128 + stopped_by;
    stop_signal_restore(&saved);
    return code;
}

static int run(const cli_options *options)
{
    /* Every core unless told otherwise: nothing else runs here. */
    cli_options resolved = *options;
    if (resolved.threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        resolved.threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    }
    const cli_options *o = &resolved;
    app_setup setup;
    lf_error err;
    /* Refuse a bad output path now, not after loading the photographs and a
     * long run. */
    lf_status checked = output_check(o, &err);
    if (checked != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return app_exit_code(checked);
    }
    if (o->save_state) {
        lf_atomic_file probe;
        if (lf_atomic_open(&probe, o->save_state, &err) != LF_OK) {
            fprintf(stderr, "learnfilter: %s\n", err.message);
            return EXIT_INPUT;
        }
        lf_atomic_abandon(&probe);
    }
    static held_warnings warnings; /* 16 KiB: not on the stack */
    warnings.used = 0;
    warnings.text[0] = 0;
    warnings.dropped = 0;
    lf_status st = app_setup_create(&setup, o, hold_warning, NULL, &warnings, &err);
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return app_exit_code(st);
    }
    print_held_warnings(&warnings);
    lf_trainer *trainer = setup.trainer;
    const lf_trainer_options *topt = lf_trainer_get_options(trainer);
    const lf_figures *fig = lf_trainer_figures(trainer);
    if (o->resume) {
        if (app_resume_state(&setup, o->resume, &err) != LF_OK) {
            fprintf(stderr, "learnfilter: %s\n", err.message);
            app_setup_destroy(&setup);
            return app_exit_code(err.status);
        }
    }
    /* A resumed run's limits count from where it resumes. */
    const long start_step = fig->step;
    const int start_epoch = fig->epoch;
    /* With a tolerance the run goes until it is reached, unless the user
     * also gave a limit; without one it runs the original's 100 epochs. */
    long epoch_limit = o->epochs > 0 ? o->epochs : (o->tol > 0 ? 0 : 100);
    long epoch_end = epoch_limit > 0 ? start_epoch + epoch_limit : 0;

    lf_weight_history history;
    /* One gray filter keeps today's (snapshots, h, w); a bank is
     * (snapshots, F, C, h, w). */
    lf_weight_history_init_bank(&history, topt->layer.filters, topt->layer.channels,
                                setup.kernel.height, setup.kernel.width);
    int exit_code = EXIT_OK;
    headless_movie hm = {0};
    bool filming = o->gif || o->video;
    if (filming && o->gif_layout == CLI_GIF_LAYOUT_FULL && !lf_layer_options_plain(&topt->layer)) {
        fprintf(stderr, "learnfilter: --gif-layout full: the window's layout shows one gray "
                        "filter at stride 1; a layer's movie shows its first filter with "
                        "--gif-layout kernel\n");
        lf_weight_history_deinit(&history);
        app_setup_destroy(&setup);
        return EXIT_USAGE;
    }
    if (filming && headless_movie_open(&hm, o, &setup, &err) != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        app_setup_destroy(&setup);
        return EXIT_INPUT;
    }
    /* Which steps get a frame: every --gif-every steps when given; with a
     * tolerance and no epoch limit, log-spaced steps, because such a run
     * spends most of its steps on the slow tail; otherwise each epoch, as
     * the original experiment did. */
    bool frames_by_epoch = o->gif_every == 0 && !headless_movie_log_spaced(o);
    long next_log_frame = 1;
    if (filming)
        headless_movie_add_frame(&hm, trainer, frames_by_epoch, false);
    reel_history reel = {0}; /* --reel: log-spaced points, drawn at the end (reel.h) */
    if (o->reel && headless_reel_begin(&reel, trainer) != EXIT_OK) {
        lf_weight_history_deinit(&history);
        app_setup_destroy(&setup);
        return EXIT_USAGE;
    }

    if (o->dump_patches && dump_training_data(&setup, o->dump_patches, &err) != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        lf_weight_history_deinit(&history);
        app_setup_destroy(&setup);
        return EXIT_INPUT;
    }

    bool tty = isatty(2);
    double start = now_seconds(), last_report = start;
    stop_clock clock;
    stop_clock_start(&clock, o->max_seconds, start);
    long last_report_step = start_step;
    /* Where the first epoch ended: every training patch's target or Gram
     * matrix has been built by then, so the rate after it is the steady
     * one, comparable with a framework that has no such one-off cost. */
    double first_epoch_time = NAN;
    long first_epoch_step = start_step;
    double rate = 0;
    int recorded_epoch = 0;
    bool diverged = false, out_of_time = false;
    char diverged_message[LF_ERROR_MESSAGE_MAX] = "";
    for (;;) {
        if (stop_signal_received()) {
            if (tty)
                fputc('\n', stderr);
            fprintf(stderr, "learnfilter: %s at step %ld: finishing the files\n",
                    stop_signal_received() == SIGINT ? "interrupted (SIGINT)"
                                                     : "terminated (SIGTERM)",
                    fig->step);
            break;
        }
        if (epoch_end > 0 && fig->epoch >= epoch_end)
            break;
        if (o->steps > 0 && fig->step - start_step >= o->steps)
            break;
        if (o->tol > 0 && fig->converged)
            break;
        st = lf_trainer_step(trainer, &err);
        if (st != LF_OK) {
            diverged = true;
            snprintf(diverged_message, sizeof diverged_message, "%s", err.message);
            break;
        }
        if (fig->epoch == start_epoch + 1 && isnan(first_epoch_time)) {
            first_epoch_time = now_seconds();
            first_epoch_step = fig->step;
        }
        if (filming && headless_movie_frame_due(o, fig, &next_log_frame))
            headless_movie_add_frame(&hm, trainer, frames_by_epoch, false);
        if (reel_history_due(&reel, fig->step))
            reel_history_observe_trainer(&reel, trainer, false);
        if (o->weights_out && fig->epoch != recorded_epoch) {
            recorded_epoch = fig->epoch;
            if (lf_weight_history_record(&history, lf_trainer_weights(trainer), fig->step,
                                         fig->epoch, fig->rel_err, &err) != LF_OK) {
                fprintf(stderr, "learnfilter: %s\n", err.message);
                exit_code = EXIT_INPUT;
                break;
            }
        }
        /* Reading the clock every step would cost a 3x3 step a tenth of
         * its time; stop_clock reads it about every 10 ms instead. */
        if (stop_clock_due(&clock)) {
            double t = now_seconds();
            if (stop_clock_read(&clock, t)) {
                out_of_time = true;
                break;
            }
            if (t - last_report >= (tty ? 0.2 : 5.0)) {
                rate = (fig->step - last_report_step) / (t - last_report);
                print_progress(fig, epoch_end, rate, tty);
                last_report = t;
                last_report_step = fig->step;
            }
        }
    }
    double wall = now_seconds() - start;
    double steps_per_s = wall > 0 ? (fig->step - start_step) / wall : 0;
    double steady_wall = start + wall - first_epoch_time;
    double steady_steps_per_s =
        steady_wall > 0 ? (fig->step - first_epoch_step) / steady_wall : NAN;
    print_progress(fig, epoch_end, steps_per_s, tty);
    if (tty)
        fputc('\n', stderr);
    if (diverged)
        fprintf(stderr, "learnfilter: %s\n", diverged_message);
    else if (o->tol <= 0 && epoch_end > 0 && fig->epoch >= epoch_end && !fig->converged)
        /* The original's 100 epochs are few steps on a small photo set:
         * say how far the kernel got and how to train it to the end. */
        fprintf(stderr,
                "learnfilter: %ld epochs done with the kernel at %.1f%% error; "
                "--tol 0.01 trains until it is learned\n",
                epoch_limit, 100.0 * fig->rel_err);
    if (out_of_time && o->tol > 0 && !fig->converged)
        fprintf(stderr,
                "learnfilter: --max-seconds %g ran out at step %ld with the kernel error at "
                "%.*f%%, short of --tol %g%%\n",
                o->max_seconds, fig->step, fig->rel_err >= 1 ? 0 : 2, 100.0 * fig->rel_err,
                100.0 * o->tol);

    if (o->weights_out && exit_code == EXIT_OK) {
        if (history.spacing > 1)
            fprintf(stderr,
                    "learnfilter: --weights-out: %ld epochs are more than the %d snapshots kept; "
                    "every %ldth epoch was recorded, and the last step\n",
                    history.offered, history.max_count, history.spacing);
        /* A run stopped mid-epoch still records where it ended. */
        if (history.count == 0 || history.steps[history.count - 1] != fig->step)
            lf_weight_history_append(&history, lf_trainer_weights(trainer), fig->step, fig->epoch,
                                     fig->rel_err, &err);
        if (lf_weight_history_write(&history, o->weights_out, &err) != LF_OK) {
            fprintf(stderr, "learnfilter: %s\n", err.message);
            exit_code = EXIT_INPUT;
        }
    }

    if (filming) {
        /* A run stopped between frames still shows where it ended. */
        if (hm.last_step != fig->step)
            headless_movie_add_frame(&hm, trainer, frames_by_epoch, true);
        if (!headless_movie_finish(&hm, o) && exit_code == EXIT_OK)
            exit_code = EXIT_INPUT;
    }

    if (o->reel && headless_reel_end(&reel, o, trainer, setup.dataset.file_count) != EXIT_OK &&
        exit_code == EXIT_OK)
        exit_code = EXIT_INPUT;

    if (o->save_state && app_save_state(trainer, o->save_state, &err) != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        if (exit_code == EXIT_OK)
            exit_code = EXIT_INPUT;
    }

    FILE *out = stdout;
    headless_report report = {.setup = &setup,
                              .options = o,
                              .wall_s = wall,
                              .steps_per_s = steps_per_s,
                              .steady_steps_per_s = steady_steps_per_s,
                              .diverged = diverged};
    headless_print_json(out, &report);
    /* The JSON line is the run's result: a full disk or a closed pipe must
     * not pass for success. stdout is buffered, so the flush is where a
     * write fails; ferror catches one that failed earlier. */
    errno = 0;
    bool written = fflush(out) == 0 && !ferror(out);
    if (!written) {
        fprintf(stderr, "learnfilter: standard output: write failed: %s\n",
                strerror(errno ? errno : EIO));
        exit_code = EXIT_INPUT;
    }

    bool converged = fig->converged; /* fig dies with the trainer */
    lf_weight_history_deinit(&history);
    app_setup_destroy(&setup);
    if (exit_code != EXIT_OK)
        return exit_code;
    if (diverged)
        return EXIT_DIVERGED;
    if (o->tol > 0 && !converged)
        return EXIT_NOT_CONVERGED;
    return EXIT_OK;
}
