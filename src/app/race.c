/*
 * race.c: the options of a race's second run, its setup, and the headless
 * race. See race.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "race.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "headless_json.h"
#include "stop_clock.h"
#include "stop_signal.h"

/* ============================================================ options */

/* The options a race may change, each with the field it copies. */
static const char *const race_allowed[] = {"--optimizer", "--lr",    "--momentum", "--nesterov",
                                           "--no-nesterov", "--batch", "--engine"};

static bool allowed(const char *name)
{
    for (size_t i = 0; i < sizeof race_allowed / sizeof race_allowed[0]; i++)
        if (!strcmp(name, race_allowed[i]))
            return true;
    return false;
}

/* The option a word names, lower case, without "=value"; "" for a value. */
static void option_name(const char *word, char *name, size_t size)
{
    name[0] = 0;
    if (strncmp(word, "--", 2) != 0)
        return;
    size_t n = 0;
    for (; word[n] && word[n] != '=' && n + 1 < size; n++)
        name[n] = (char)tolower((unsigned char)word[n]);
    name[n] = 0;
}

lf_status race_options(const cli_options *first, const char *text, cli_options *out,
                       lf_error *err)
{
    if (!text)
        text = "";
    if (strlen(text) >= RACE_TEXT_MAX)
        return lf_fail(err, LF_ERR_ARGUMENT, "--race: the options are over %d characters",
                       RACE_TEXT_MAX - 1);
    char words[RACE_TEXT_MAX];
    snprintf(words, sizeof words, "%s", text);
    char *argv[RACE_MAX_WORDS + 2] = {"learnfilter"};
    int argc = 1;
    for (char *save = NULL, *w = strtok_r(words, " \t\n", &save); w;
         w = strtok_r(NULL, " \t\n", &save)) {
        if (argc > RACE_MAX_WORDS)
            return lf_fail(err, LF_ERR_ARGUMENT, "--race: more than %d words", RACE_MAX_WORDS);
        argv[argc++] = w;
    }
    if (argc == 1)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "--race: no options; say what the second run changes (%s)",
                       RACE_MAY_CHANGE);
    /* The parser's own checks first, so a typo gets its "did you mean". */
    cli_options parsed;
    lf_error e;
    if (!cli_parse(argc, argv, &parsed, &e))
        return lf_fail(err, LF_ERR_ARGUMENT, "--race: %s", e.message);
    *out = *first;
    out->race = NULL;
    for (int i = 1; i < argc; i++) {
        char name[64];
        option_name(argv[i], name, sizeof name);
        if (!name[0])
            continue; /* a value: the parser placed it already */
        if (!allowed(name))
            return lf_fail(err, LF_ERR_ARGUMENT,
                           "--race: %s cannot differ in a race (both runs learn the same kernel "
                           "from the same images, initial weights and patch order, and stop "
                           "alike); a race may change %s",
                           name, RACE_MAY_CHANGE);
        if (!strcmp(name, "--optimizer")) {
            /* The other optimizer takes its own usual settings unless the
             * race says them too, as --optimizer does on the command line. */
            out->optimizer = parsed.optimizer;
            if (parsed.optimizer != first->optimizer) {
                out->lr = parsed.lr;
                out->momentum = parsed.momentum;
                out->nesterov = parsed.nesterov;
            }
        } else if (!strcmp(name, "--lr"))
            out->lr = parsed.lr;
        else if (!strcmp(name, "--momentum"))
            out->momentum = parsed.momentum;
        else if (!strcmp(name, "--nesterov") || !strcmp(name, "--no-nesterov"))
            out->nesterov = parsed.nesterov;
        else if (!strcmp(name, "--batch"))
            out->batch = parsed.batch;
        else
            out->engine = parsed.engine;
    }
    lf_error_clear(err);
    return LF_OK;
}

const char *race_refused_output(const cli_options *o)
{
    const struct { const char *name; bool set; } outputs[] = {
        {"--gif", o->gif != NULL},
        {"--video", o->video != NULL},
        {"--weights-out", o->weights_out != NULL},
        {"--save-state", o->save_state != NULL},
        {"--resume", o->resume != NULL},
        {"--dump-patches", o->dump_patches != NULL},
    };
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++)
        if (outputs[i].set)
            return outputs[i].name;
    return NULL;
}

/* ============================================================== setup */

/* A deep copy of src: the second run's own patches, so each run (and in
 * the window each worker) owns what it trains on. */
lf_status race_dataset_copy(lf_dataset *dst, const lf_dataset *src, lf_error *err)
{
    *dst = *src;
    dst->inputs = dst->clean = NULL;
    dst->patch_file = NULL;
    dst->patch_origin = NULL; /* copied below, or left out: then none are shared */
    dst->file_names = NULL;
    size_t floats = (size_t)src->patch_count * (size_t)lf_dataset_patch_floats(src);
    dst->clean = malloc(sizeof(float) * floats);
    dst->inputs = src->inputs == src->clean ? dst->clean : malloc(sizeof(float) * floats);
    dst->patch_file = malloc(sizeof(int) * (size_t)(src->patch_count > 0 ? src->patch_count : 1));
    dst->file_names = calloc((size_t)(src->file_count > 0 ? src->file_count : 1), sizeof(char *));
    bool ok = dst->clean && dst->inputs && dst->patch_file && dst->file_names;
    for (int i = 0; ok && i < src->file_count; i++)
        ok = (dst->file_names[i] = strdup(src->file_names[i])) != NULL;
    if (!ok) {
        /* lf_dataset_deinit frees file_count names: count only those made. */
        int made = 0;
        while (dst->file_names && made < src->file_count && dst->file_names[made])
            made++;
        dst->file_count = made;
        lf_dataset_deinit(dst);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the race's copy of the patches");
    }
    memcpy(dst->clean, src->clean, sizeof(float) * floats);
    if (dst->inputs != dst->clean)
        memcpy(dst->inputs, src->inputs, sizeof(float) * floats);
    memcpy(dst->patch_file, src->patch_file, sizeof(int) * (size_t)src->patch_count);
    /* Where the patches were cut lets the statistics engine share them. */
    if (src->patch_origin) {
        dst->patch_origin = malloc(sizeof(lf_patch_origin) * (size_t)src->patch_count);
        if (dst->patch_origin)
            memcpy(dst->patch_origin, src->patch_origin,
                   sizeof(lf_patch_origin) * (size_t)src->patch_count);
    }
    return LF_OK;
}

lf_status race_setup_create(app_setup *out, const app_setup *first, const cli_options *race,
                            lf_error *err)
{
    *out = *first;
    out->trainer = NULL;
    lf_status st = race_dataset_copy(&out->dataset, &first->dataset, err);
    if (st != LF_OK) {
        memset(out, 0, sizeof *out);
        return st;
    }
    st = app_setup_trainer(out, race, err);
    if (st != LF_OK) {
        lf_dataset_deinit(&out->dataset);
        memset(out, 0, sizeof *out);
    }
    return st;
}

/* ============================================================ figures */

void race_describe(const lf_train_settings *a, lf_engine ea, const lf_train_settings *b,
                   lf_engine eb, char *out, size_t size)
{
    size_t n = 0;
    out[0] = 0;
#define RACE_ADD(...)                                                                            \
    do {                                                                                         \
        if (n < size) {                                                                          \
            int k = snprintf(out + n, size - n, "%s", n ? " " : "");                             \
            n += k > 0 ? (size_t)k : 0;                                                          \
        }                                                                                        \
        if (n < size) {                                                                          \
            int k = snprintf(out + n, size - n, __VA_ARGS__);                                    \
            n += k > 0 ? (size_t)k : 0;                                                          \
        }                                                                                        \
    } while (0)
    bool other = a->optimizer != b->optimizer;
    if (other)
        RACE_ADD("%s", b->optimizer == LF_OPTIMIZER_ADAM ? "Adam" : "SGD");
    if (other || a->learning_rate != b->learning_rate)
        RACE_ADD("lr %g", (double)b->learning_rate);
    if (b->optimizer == LF_OPTIMIZER_SGD) {
        if (other || a->momentum != b->momentum)
            RACE_ADD("momentum %g", (double)b->momentum);
        if ((other && b->momentum > 0) || a->nesterov != b->nesterov)
            RACE_ADD("%s", b->nesterov ? "Nesterov" : "no Nesterov");
    }
    if (a->batch_size != b->batch_size)
        RACE_ADD("batch %d", b->batch_size);
    if (ea != eb)
        RACE_ADD("engine %s", lf_engine_name(eb));
    if (!n)
        RACE_ADD("nothing");
#undef RACE_ADD
}

const char *race_winner_name(race_winner w)
{
    switch (w) {
    case RACE_FIRST: return "first";
    case RACE_SECOND: return "race";
    case RACE_TIE: return "tie";
    default: return "neither";
    }
}

race_winner race_by_steps(long c1, long s1, long c2, long s2)
{
    if (c1 >= 0 && c2 >= 0)
        return c1 < c2 ? RACE_FIRST : c2 < c1 ? RACE_SECOND : RACE_TIE;
    if (c1 >= 0)
        return s2 >= c1 ? RACE_FIRST : RACE_NEITHER;
    if (c2 >= 0)
        return s1 >= c2 ? RACE_SECOND : RACE_NEITHER;
    return RACE_NEITHER;
}

/* ================================================= the headless race */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void print_warning(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "learnfilter: warning: %s\n", message);
}

/* One run to the shared limits; fills the report's timings. */
static void race_train(app_setup *s, const cli_options *o, headless_report *r, const char *label)
{
    lf_trainer *t = s->trainer;
    const lf_figures *fig = lf_trainer_figures(t);
    long epoch_limit = o->epochs > 0 ? o->epochs : (o->tol > 0 ? 0 : 100);
    double start = now_seconds();
    double first_epoch_time = NAN;
    long first_epoch_step = 0;
    stop_clock clock;
    stop_clock_start(&clock, o->max_seconds, start);
    double last_report = start;
    lf_error err;
    r->converged_s = NAN;
    r->diverged = false;
    fprintf(stderr, "learnfilter: race: training the %s run\n", label);
    for (;;) {
        if (stop_signal_received())
            break;
        if (epoch_limit > 0 && fig->epoch >= epoch_limit)
            break;
        if (o->steps > 0 && fig->step >= o->steps)
            break;
        if (o->tol > 0 && fig->converged)
            break;
        if (lf_trainer_step(t, &err) != LF_OK) {
            r->diverged = true;
            fprintf(stderr, "learnfilter: race: %s run: %s\n", label, err.message);
            break;
        }
        if (fig->converged_step >= 0 && isnan(r->converged_s))
            r->converged_s = now_seconds() - start;
        if (fig->epoch == 1 && isnan(first_epoch_time)) {
            first_epoch_time = now_seconds();
            first_epoch_step = fig->step;
        }
        if (stop_clock_due(&clock)) {
            double now = now_seconds();
            if (stop_clock_read(&clock, now))
                break;
            if (now - last_report >= 5.0) { /* a long race says it is alive */
                fprintf(stderr, "learnfilter: race: %s run: step %ld, error %.2f%%\n", label,
                        fig->step, 100.0 * fig->rel_err);
                last_report = now;
            }
        }
    }
    double wall = now_seconds() - start;
    double steady = start + wall - first_epoch_time;
    r->wall_s = wall;
    r->steps_per_s = wall > 0 ? fig->step / wall : 0;
    r->steady_steps_per_s = steady > 0 ? (fig->step - first_epoch_step) / steady : NAN;
    fprintf(stderr, "learnfilter: race: %s run: step %ld, error %.2f%%, %.1f s\n", label,
            fig->step, 100.0 * fig->rel_err, wall);
}

static void json_seconds_winner(FILE *out, const headless_report *a, const headless_report *b)
{
    double x = a->converged_s, y = b->converged_s;
    const char *w = !isnan(x) && (isnan(y) || x < y) ? "first"
                    : !isnan(y) && (isnan(x) || y < x) ? "race"
                    : !isnan(x) ? "tie" : "neither";
    fprintf(out, "\"race_winner_seconds\": \"%s\", ", w);
    if (!isnan(x) && !isnan(y))
        fprintf(out, "\"race_lead_s\": %.6g", fabs(x - y));
    else
        fputs("\"race_lead_s\": null", out);
}

int race_headless_run(const cli_options *options)
{
    cli_options o1 = *options;
    if (o1.threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        o1.threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    }
    const char *refused = race_refused_output(&o1);
    if (refused) {
        fprintf(stderr,
                "learnfilter: %s: not with --race (a race prints both runs' figures as one "
                "JSON object); run it without --race\n",
                refused);
        return EXIT_USAGE;
    }
    lf_error err;
    cli_options o2;
    if (race_options(&o1, o1.race, &o2, &err) != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return EXIT_USAGE;
    }
    app_setup s1, s2;
    lf_status st = app_setup_create(&s1, &o1, print_warning, NULL, NULL, &err);
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return app_exit_code(st);
    }
    st = race_setup_create(&s2, &s1, &o2, &err);
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: --race: %s\n", err.message);
        app_setup_destroy(&s1);
        return app_exit_code(st);
    }
    headless_report r1 = {.setup = &s1, .options = &o1, .race = true};
    headless_report r2 = {.setup = &s2, .options = &o2, .race = true};
    race_train(&s1, &o1, &r1, "first");
    if (!stop_signal_received())
        race_train(&s2, &o2, &r2, "second");
    const lf_figures *f1 = lf_trainer_figures(s1.trainer), *f2 = lf_trainer_figures(s2.trainer);
    char differs[256];
    race_describe(&lf_trainer_get_options(s1.trainer)->settings, lf_trainer_engine(s1.trainer),
                  &lf_trainer_get_options(s2.trainer)->settings, lf_trainer_engine(s2.trainer),
                  differs, sizeof differs);
    /* Both runs are over: one that did not reach the tolerance never will. */
    race_winner w = race_by_steps(f1->converged_step, LONG_MAX, f2->converged_step, LONG_MAX);
    FILE *out = stdout;
    fputc('{', out);
    headless_print_json_fields(out, &r1);
    fputs(", \"race\": {", out);
    headless_print_json_fields(out, &r2);
    fputs("}, \"race_differs\": \"", out);
    for (const char *p = differs; *p; p++)
        fputc(*p == '"' || *p == '\\' ? '?' : *p, out);
    fprintf(out, "\", \"race_winner\": \"%s\", ", race_winner_name(w));
    if (f1->converged_step >= 0 && f2->converged_step >= 0)
        fprintf(out, "\"race_lead_steps\": %ld, ", labs(f1->converged_step - f2->converged_step));
    else
        fputs("\"race_lead_steps\": null, ", out);
    json_seconds_winner(out, &r1, &r2);
    fputs("}\n", out);
    bool written = fflush(out) == 0 && !ferror(out);
    bool diverged = r1.diverged, converged = f1->converged;
    app_setup_destroy(&s2);
    app_setup_destroy(&s1);
    if (!written) {
        fprintf(stderr, "learnfilter: standard output: write failed\n");
        return EXIT_INPUT;
    }
    if (diverged)
        return EXIT_DIVERGED;
    if (o1.tol > 0 && !converged)
        return EXIT_NOT_CONVERGED;
    return EXIT_OK;
}
