/*
 * setup.c: the common start of both front ends. See setup.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "setup.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_folder(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Looks for name (data or assets) in: $LEARNFILTER_<NAME>, the source tree
 * this binary was built from, then beside the executable and one level up.
 * The result lives in a static buffer per name. */
static const char *find_dir(const char *env_name, const char *built_in, const char *leaf,
                            char *buffer, size_t size)
{
    const char *env = getenv(env_name);
    if (env && is_folder(env))
        return env;
    if (is_folder(built_in))
        return built_in;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        const char *between[] = {"/", "/../", "/../share/learnfilter/"};
        for (size_t i = 0; i < sizeof between / sizeof between[0]; i++) {
            snprintf(buffer, size, "%s%s%s", exe, between[i], leaf);
            if (is_folder(buffer))
                return buffer;
        }
    }
    return leaf; /* relative to the working folder, as a last resort */
}

const char *app_data_dir(void)
{
    static char buffer[PATH_MAX + 64];
    return find_dir("LEARNFILTER_DATA", LF_SOURCE_DATA_DIR, "data", buffer, sizeof buffer);
}

const char *app_assets_dir(void)
{
    static char buffer[PATH_MAX + 64];
    return find_dir("LEARNFILTER_ASSETS", LF_SOURCE_ASSETS_DIR, "assets", buffer, sizeof buffer);
}

int app_exit_code(lf_status status)
{
    switch (status) {
    case LF_OK: return EXIT_OK;
    case LF_ERR_ARGUMENT: return EXIT_USAGE;
    case LF_ERR_DIVERGED: return EXIT_DIVERGED;
    default: return EXIT_INPUT;
    }
}

lf_dataset_options app_dataset_options(const cli_options *o)
{
    static const char *default_paths[1];
    lf_dataset_options d = {
        .paths = o->images,
        .path_count = o->image_count,
        .patch_size = o->size,
        .downscale = o->downscale,
        .patch_stride = o->patch_stride,
        .variants = o->variants,
        .noise_sigma = o->noise,
        .validation_fraction = o->validation,
        .seed = o->seed,
        .channels = o->color ? 3 : 1,
    };
    if (o->image_count == 0) {
        default_paths[0] = app_data_dir();
        d.paths = default_paths;
        d.path_count = 1;
    }
    return d;
}

/* --target: the operation, and the layer's kernel (--kernel-size or the
 * operation's window) in s->kernel, whose weights the trainer fills. */
static lf_status setup_target(app_setup *s, const cli_options *o, lf_error *err)
{
    lf_error e;
    lf_status st = lf_target_parse(&s->target, o->target, o->seed, &e);
    if (st != LF_OK)
        return lf_fail(err, st, "--target: %s", e.message);
    lf_target_window(&s->target, &s->kernel.height, &s->kernel.width);
    if (o->kernel_h > 0) {
        s->kernel.height = o->kernel_h;
        s->kernel.width = o->kernel_w;
    }
    snprintf(s->kernel.name, sizeof s->kernel.name, "%s", s->target.name);
    return LF_OK;
}

/* The best linear filter, as the trainer solved it: with --target the
 * operation's (then s->kernel is it); with --noise the kernel's, which
 * says how far noisy inputs move the answer from it. */
static void setup_best_fit(app_setup *s)
{
    s->best = *lf_trainer_best_fit(s->trainer);
    if (!lf_target_is_set(&s->target)) {
        s->best_rel_err_to_kernel = lf_trainer_best_rel_err_to_kernel(s->trainer);
        return;
    }
    s->kernel = lf_trainer_get_options(s->trainer)->target;
    if (lf_target_is_linear(&s->target) && s->target.kernel.height == s->kernel.height &&
        s->target.kernel.width == s->kernel.width)
        s->best_rel_err_to_kernel = lf_kernel_relative_error(&s->kernel, &s->target.kernel);
}

/* True when spec names a bank rather than one kernel: a list, or a .npy
 * (which may hold several filters). */
static bool is_bank(const char *spec)
{
    size_t n = strlen(spec);
    return strchr(spec, ',') || (n >= 4 && !strcasecmp(spec + n - 4, ".npy"));
}

/* The kernel or bank, and the layer it makes. */
static lf_status setup_kernel(app_setup *s, const cli_options *o, lf_error *err)
{
    const char *spec = o->kernel ? o->kernel : "sobel-x";
    s->layer = (lf_layer_options){.channels = o->color ? 3 : 1,
                                  .filters = 1,
                                  .stride = o->stride > 0 && !o->apply ? o->stride : 1,
                                  .pool = o->pool > 0 ? o->pool : 1,
                                  .activation = (lf_activation)o->activation};
    if (o->target)
        return setup_target(s, o, err);
    if (!o->color && !is_bank(spec))
        return lf_kernel_resolve(&s->kernel, spec, o->seed, err);
    return lf_kernel_bank_resolve(&s->kernel, &s->layer.filters, spec, s->layer.channels, o->seed,
                                  err);
}

lf_status app_setup_trainer(app_setup *s, const cli_options *o, lf_error *err)
{
    lf_train_settings settings = cli_training_settings(o, &s->kernel);
    if (settings.batch_size > s->dataset.train_count) {
        if (o->batch > 0)
            /* The user's own choice: say so rather than quietly train
             * with a different batch. */
            return lf_fail(err, LF_ERR_ARGUMENT,
                           "--batch: %d is larger than the %d training patches; lower it, "
                           "or add images or use a smaller --size",
                           o->batch, s->dataset.train_count);
        /* The kernel's default batch on a small image set: the set still
         * trains, as lf_trainer_set_kernel does. */
        lf_settings_fit_batch(&settings, s->dataset.train_count);
    }
    lf_trainer_options t = {
        .target = s->kernel,
        .settings = settings,
        .padding = o->padding,
        .seed = o->seed,
        .tolerance = o->tol,
        /* Worker threads only for the headless trainer: the window leaves
         * the main thread its core. */
        .threads = o->headless ? o->threads : 1,
        .operation = s->target,
        .layer = s->layer,
        .engine = (lf_engine)o->engine,
    };
    s->trainer = lf_trainer_create(&t, &s->dataset, err);
    if (!s->trainer)
        return err ? err->status : LF_ERR_ARGUMENT;
    setup_best_fit(s);
    return LF_OK;
}

lf_status app_setup_create(app_setup *s, const cli_options *o, lf_warning_fn warn,
                           lf_progress_fn progress, void *user, lf_error *err)
{
    memset(s, 0, sizeof *s);
    s->best_rel_err_to_kernel = NAN;
    /* The kernel first: it is quick, and a typo in its name should not wait
     * for a folder of photographs to load. */
    lf_status st = setup_kernel(s, o, err);
    if (st != LF_OK)
        return st;
    if (!o->headless && s->layer.filters > APP_WINDOW_MAX_FILTERS)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the window shows a layer of up to %d filters; this one has %d: "
                       "train it with --headless",
                       APP_WINDOW_MAX_FILTERS, s->layer.filters);
    lf_dataset_options d = app_dataset_options(o);
    d.warn = warn;
    d.progress = progress;
    d.user = user;
    st = lf_dataset_load(&s->dataset, &d, err);
    if (st != LF_OK)
        return st;
    st = app_setup_trainer(s, o, err);
    if (st != LF_OK)
        lf_dataset_deinit(&s->dataset);
    return st;
}

void app_setup_destroy(app_setup *s)
{
    if (!s)
        return;
    lf_trainer_destroy(s->trainer);
    lf_dataset_deinit(&s->dataset);
    s->trainer = NULL;
}
