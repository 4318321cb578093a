/*
 * cli.c: parsing and checking the command line. See cli.h.
 */
#include "cli.h"

#include "learnfilter/settings.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "learnfilter/ops.h"

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/names.h"
#include "learnfilter/target.h"
#include "learnfilter/trainer.h"
#include "layout.h"
#include "recorder.h"

typedef enum value_kind { FLAG, TEXT, INT, LONG, FLOAT, SEED } value_kind;

typedef struct option_spec {
    const char *name;
    value_kind kind;
    const char *help_value; /* shown in messages, e.g. "a positive integer" */
} option_spec;

__attribute__((format(printf, 3, 4))) static bool fail(char *message, int size,
                                                       const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(message, (size_t)size, format, args);
    va_end(args);
    /* The message quotes what the user typed: keep it one printable line. */
    for (char *p = message; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return false;
}

static bool parse_double(const char *text, double *out)
{
    errno = 0;
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* Every integer option's range, the one place each is checked. The upper
 * limits are far beyond any run (10^15 steps is years at millions a second)
 * and keep every product of them inside a long. */
static const struct int_range { const char *name; long min, max; } int_ranges[] = {
    {"--size", LF_PATCH_MIN, LF_PATCH_MAX},
    {"--downscale", 1, 64},
    {"--patch-stride", 1, LF_PATCH_MAX}, /* the dataset refuses more than the patch */
    {"--variants", 1, 8},                /* 1, 2, 4 or 8: the dataset says so */
    {"--batch", 1, 100000},
    {"--epochs", 1, 1000000000000L},
    {"--steps", 1, 1000000000000000L},
    {"--frames", 1, 1000000000},
    {"--threads", 1, 64}, /* the core's thread pool holds at most 64 */
    {"--width", LAYOUT_MIN_WIDTH, 16384},
    {"--height", LAYOUT_MIN_HEIGHT, 16384},
    {"--gif-every", 1, 1000000000000000L},
    /* GIF delays are hundredths of a second and viewers play anything
     * under 2 as 10: 50 frames a second is the fastest that plays true. */
    {"--gif-fps", 1, 50},
    {"--gif-loop", 0, 65536},
    {"--repeat", 1, LF_OP_MAX_REPEAT},
    {"--stride", 1, LF_OP_MAX_STRIDE}, /* a layer's: at most LF_LAYER_MAX_STRIDE, below */
    {"--pool", 1, LF_LAYER_MAX_POOL},
};

static const struct int_range *int_range_of(const char *name)
{
    for (size_t i = 0; i < sizeof int_ranges / sizeof int_ranges[0]; i++)
        if (!strcmp(int_ranges[i].name, name))
            return &int_ranges[i];
    return NULL;
}

/* --kernel-size HxW (or N for N x N), each side 1..LF_TARGET_MAX_SIDE. */
static bool parse_kernel_size(const char *value, int *h, int *w, char *message, int size)
{
    char *end;
    errno = 0;
    long a = isdigit((unsigned char)value[0]) ? strtol(value, &end, 10) : -1, b = a;
    if (a > 0 && (*end == 'x' || *end == 'X') && isdigit((unsigned char)end[1]))
        b = strtol(end + 1, &end, 10);
    if (a < 1 || b < 1 || *end || errno == ERANGE)
        return fail(message, size, "--kernel-size: '%s' is not HxW (e.g. 5x5) or N", value);
    if (a > LF_TARGET_MAX_SIDE || b > LF_TARGET_MAX_SIDE)
        return fail(message, size,
                    "--kernel-size: '%s' is over %dx%d, the largest whose best filter is solved",
                    value, LF_TARGET_MAX_SIDE, LF_TARGET_MAX_SIDE);
    *h = (int)a;
    *w = (int)b;
    return true;
}

/* --hover X,Y: two non-negative whole numbers, window pixels. */
static bool parse_point(const char *value, int *x, int *y, char *message, int size)
{
    char *end;
    errno = 0;
    long a = isdigit((unsigned char)value[0]) ? strtol(value, &end, 10) : -1, b = -1;
    if (a >= 0 && *end == ',' && isdigit((unsigned char)end[1]))
        b = strtol(end + 1, &end, 10);
    if (a < 0 || b < 0 || *end || errno == ERANGE || a > 100000 || b > 100000)
        return fail(message, size, "--hover: '%s' is not X,Y in window pixels (e.g. 400,500)",
                    value);
    *x = (int)a;
    *y = (int)b;
    return true;
}

/* Parses an integer option's value into *out within its range, or writes
 * why not: not an integer, too large (with the limit), or too small. */
static bool parse_int_option(const struct int_range *r, const char *value, long *out,
                             char *message, int size)
{
    errno = 0;
    char *end;
    long v = strtol(value, &end, 10);
    bool negative = errno == ERANGE ? v < 0 : v < 0 || (v == 0 && r->min > 0);
    if (end == value || *end || negative)
        return fail(message, size, "%s: '%s' is not a %s integer", r->name, value,
                    r->min > 0 ? "positive" : "non-negative");
    if (errno == ERANGE || v > r->max)
        return fail(message, size, "%s: '%s' is too large; the largest accepted is %ld", r->name,
                    value, r->max);
    if (v < r->min && (!strcmp(r->name, "--width") || !strcmp(r->name, "--height")))
        return fail(message, size, "%s: '%s' is below the smallest window, %dx%d", r->name,
                    value, LAYOUT_MIN_WIDTH, LAYOUT_MIN_HEIGHT);
    if (v < r->min)
        return fail(message, size, "%s: '%s' is outside %ld..%ld", r->name, value, r->min,
                    r->max);
    *out = v;
    return true;
}

/* True when path ends in ext (".npy"), in any case. */
static bool has_extension(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    if (n < m)
        return false;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)path[n - m + i]) != ext[i])
            return false;
    return true;
}

static bool parse_speed(const char *value, double *speed, char *message, int message_size)
{
    double x;
    if (!strcasecmp(value, "max")) {
        *speed = CLI_SPEED_MAX;
        return true;
    }
    if (!parse_double(value, &x))
        return fail(message, message_size,
                    "--speed: '%s' is not a number of steps per second, or max", value);
    if (!(x >= CLI_SPEED_MIN))
        return fail(message, message_size,
                    "--speed: '%s' is below %g step per second (max for no limit)", value,
                    CLI_SPEED_MIN);
    if (x > CLI_SPEED_LIMIT)
        return fail(message, message_size,
                    "--speed: '%s' is above %.0f steps per second (max for no limit)", value,
                    CLI_SPEED_LIMIT);
    *speed = x;
    return true;
}

static bool parse(int argc, char **argv, cli_options *o, char *message, int message_size)
{
    memset(o, 0, sizeof *o);
    o->optimizer = -1;
    o->momentum = -1;
    o->nesterov = -1;
    o->seed = 1;
    message[0] = 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            if (arg[0] == '-' && arg[1] == 'h' && !arg[2]) {
                o->help = true;
                continue;
            }
            return fail(message, message_size, "%s: unexpected argument (options start with --)",
                        arg);
        }
        /* --name=value or --name value */
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (name_len >= sizeof name)
            return fail(message, message_size, "%s: unknown option", arg);
        /* Option names are matched without case: --Kernel is --kernel. */
        for (size_t c = 0; c < name_len; c++)
            name[c] = (char)tolower((unsigned char)arg[c]);
        name[name_len] = 0;
        if (eq)
            value = eq + 1;

        /* Flags first: they take no value. */
        bool *flag = NULL;
        if (!strcmp(name, "--headless")) flag = &o->headless;
        else if (!strcmp(name, "--help")) flag = &o->help;
        else if (!strcmp(name, "--version")) flag = &o->version;
        else if (!strcmp(name, "--list-kernels")) flag = &o->list_kernels;
        else if (!strcmp(name, "--stats")) flag = &o->stats;
        else if (!strcmp(name, "--fullscreen")) flag = &o->fullscreen;
        else if (!strcmp(name, "--paused")) flag = &o->start_paused;
        else if (!strcmp(name, "--show-help")) flag = &o->show_help;
        else if (!strcmp(name, "--explore")) flag = &o->explore;
        else if (!strcmp(name, "--color")) flag = &o->color;
        else if (!strcmp(name, "--present")) flag = &o->present;
        if (flag || !strcmp(name, "--nesterov") || !strcmp(name, "--no-nesterov") ||
            !strcmp(name, "--no-loop")) {
            if (value)
                return fail(message, message_size, "%s: takes no value", name);
            if (flag)
                *flag = true;
            else if (!strcmp(name, "--no-loop"))
                o->gif_loop = -1;
            else
                o->nesterov = !strcmp(name, "--nesterov");
            continue;
        }

        static const char *const flags[] = {"--headless", "--help", "--version",
                                            "--list-kernels", "--stats", "--fullscreen",
                                            "--paused", "--show-help", "--explore", "--color",
                                            "--present", "--nesterov",
                                            "--no-nesterov", "--no-loop"};
        static const char *const with_value[] = {
            "--kernel", "--images", "--size", "--downscale", "--noise", "--validation",
            "--padding", "--optimizer", "--lr", "--momentum", "--batch", "--seed",
            "--epochs", "--steps", "--tol", "--max-seconds", "--threads", "--weights-out",
            "--frames", "--screenshot", "--scale", "--width", "--height", "--gif", "--video",
            "--gif-every", "--gif-fps", "--gif-loop", "--gif-layout", "--record-dir",
            "--dump-patches", "--apply", "--output", "--repeat", "--stride", "--speed",
            "--save-state", "--resume", "--layout-out", "--target", "--kernel-size",
            "--hover", "--press", "--pool", "--activation", "--engine", "--race", "--reel",
            "--patch-stride", "--variants"};
        bool known = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known = known || !strcmp(name, with_value[k]);
        if (!known) {
            enum { FLAG_COUNT = sizeof flags / sizeof flags[0] };
            enum { VALUE_COUNT = sizeof with_value / sizeof with_value[0] };
            const char *all[FLAG_COUNT + VALUE_COUNT];
            memcpy(all, flags, sizeof flags);
            memcpy(all + FLAG_COUNT, with_value, sizeof with_value);
            const char *guess = lf_name_closest(name, all, FLAG_COUNT + VALUE_COUNT);
            if (guess)
                return fail(message, message_size, "%s: unknown option; did you mean %s?", name,
                            guess);
            return fail(message, message_size, "%s: unknown option (see --help)", name);
        }
        if (!value) {
            if (i + 1 >= argc)
                return fail(message, message_size, "%s: missing value", name);
            value = argv[++i];
        }
        if (!*value)
            return fail(message, message_size, "%s: empty value", name);

        long n = 0;
        double x = 0;
        if (!strcmp(name, "--kernel")) o->kernel = value;
        else if (!strcmp(name, "--speed")) {
            if (!parse_speed(value, &o->speed, message, message_size))
                return false;
        }
        else if (!strcmp(name, "--images")) {
            if (o->image_count == CLI_MAX_IMAGE_PATHS)
                return fail(message, message_size, "%s: at most 64 paths; give a folder", name);
            o->images[o->image_count++] = value;
        } else if (!strcmp(name, "--weights-out")) {
            /* Checked now: the writer would only refuse it after the run. */
            if (!has_extension(value, ".npy") && !has_extension(value, ".csv"))
                return fail(message, message_size, "--weights-out: '%s' must end in .npy or .csv",
                            value);
            o->weights_out = value;
        }
        else if (!strcmp(name, "--dump-patches")) o->dump_patches = value;
        else if (!strcmp(name, "--save-state")) o->save_state = value;
        else if (!strcmp(name, "--resume")) o->resume = value;
        else if (!strcmp(name, "--race")) o->race = value;
        else if (!strcmp(name, "--apply")) o->apply = value;
        else if (!strcmp(name, "--target")) o->target = value;
        else if (!strcmp(name, "--kernel-size")) {
            if (!parse_kernel_size(value, &o->kernel_h, &o->kernel_w, message, message_size))
                return false;
        }
        else if (!strcmp(name, "--output")) {
            if (!has_extension(value, ".npy") && !has_extension(value, ".txt") &&
                !has_extension(value, ".png"))
                return fail(message, message_size, "--output: '%s' must end in .npy, .txt or .png",
                            value);
            o->apply_output = value;
        }
        else if (!strcmp(name, "--screenshot")) o->screenshot = value;
        else if (!strcmp(name, "--layout-out")) o->layout_out = value;
        else if (!strcmp(name, "--hover")) {
            if (!parse_point(value, &o->hover_x, &o->hover_y, message, message_size))
                return false;
            o->hover = true;
        }
        else if (!strcmp(name, "--press")) o->press = value;
        else if (!strcmp(name, "--record-dir")) o->record_dir = value;
        else if (!strcmp(name, "--reel")) {
            if (recorder_format_for_path(value) < 0)
                return fail(message, message_size, "--reel: '%s' does not end in .gif or .mp4",
                            value);
            o->reel = value;
        } else if (!strcmp(name, "--gif") || !strcmp(name, "--video")) {
            /* The format follows the name, so say now rather than after a run. */
            const char *dot = strrchr(value, '.');
            const char *want = !strcmp(name, "--gif") ? ".gif" : ".mp4";
            if (!dot || strcasecmp(dot, want) != 0)
                return fail(message, message_size, "%s: '%s' does not end in %s", name, value,
                            want);
            if (!strcmp(name, "--gif")) o->gif = value;
            else o->video = value;
        } else if (!strcmp(name, "--gif-layout")) {
            if (!strcasecmp(value, "kernel")) o->gif_layout = CLI_GIF_LAYOUT_KERNEL;
            else if (!strcasecmp(value, "full")) o->gif_layout = CLI_GIF_LAYOUT_FULL;
            else return fail(message, message_size,
                             "--gif-layout: '%s' is not a layout (kernel, full)", value);
        } else if (int_range_of(name)) {
            if (!parse_int_option(int_range_of(name), value, &n, message, message_size))
                return false;
            if (!strcmp(name, "--gif-every")) o->gif_every = n;
            else if (!strcmp(name, "--gif-fps")) o->gif_fps = (int)n;
            /* plays N times: 0 forever, 1 once (no looping extension), N the
             * extension's repeat count N-1 */
            else if (!strcmp(name, "--gif-loop"))
                o->gif_loop = n == 0 ? 0 : n == 1 ? -1 : (int)(n - 1);
            else if (!strcmp(name, "--size")) o->size = (int)n;
            else if (!strcmp(name, "--downscale")) o->downscale = (int)n;
            else if (!strcmp(name, "--patch-stride")) o->patch_stride = (int)n;
            else if (!strcmp(name, "--variants")) o->variants = (int)n;
            else if (!strcmp(name, "--batch")) o->batch = (int)n;
            else if (!strcmp(name, "--epochs")) o->epochs = n;
            else if (!strcmp(name, "--steps")) o->steps = n;
            else if (!strcmp(name, "--frames")) o->frames = (int)n;
            else if (!strcmp(name, "--repeat")) o->repeat = (int)n;
            else if (!strcmp(name, "--stride")) o->stride = (int)n;
            else if (!strcmp(name, "--pool")) o->pool = (int)n;
            else if (!strcmp(name, "--threads")) o->threads = (int)n;
            else if (!strcmp(name, "--width")) o->width = (int)n;
            else o->height = (int)n;
        }
        else if (!strcmp(name, "--activation")) {
            int a = lf_activation_parse(value);
            if (a < 0) {
                char lower[16] = {0};
                for (size_t c = 0; c + 1 < sizeof lower && value[c]; c++)
                    lower[c] = (char)tolower((unsigned char)value[c]);
                a = lf_activation_parse(lower);
            }
            if (a < 0)
                return fail(message, message_size,
                            "--activation: '%s' is not none, relu, sigmoid or tanh", value);
            o->activation = a;
        } else if (!strcmp(name, "--engine")) {
            if (!strcasecmp(value, "auto")) o->engine = LF_ENGINE_AUTO;
            else if (!strcasecmp(value, "direct")) o->engine = LF_ENGINE_DIRECT;
            else if (!strcasecmp(value, "gram")) o->engine = LF_ENGINE_GRAM;
            else return fail(message, message_size, "--engine: '%s' is not auto, direct or gram",
                             value);
        }
        else if (!strcmp(name, "--padding")) {
            if (!strcasecmp(value, "same")) o->padding = LF_PADDING_SAME;
            else if (!strcasecmp(value, "valid")) o->padding = LF_PADDING_VALID;
            else return fail(message, message_size, "--padding: '%s' is not same or valid",
                             value);
        } else if (!strcmp(name, "--optimizer")) {
            o->optimizer = lf_optimizer_parse(value);
            if (o->optimizer < 0)
                return fail(message, message_size, "--optimizer: '%s' is not sgd or adam",
                            value);
        } else if (!strcmp(name, "--seed")) {
            errno = 0;
            char *end;
            unsigned long long s = strtoull(value, &end, 10);
            /* strtoull skips spaces and negates a '-': " -1" would wrap. */
            if (end == value || *end || !isdigit((unsigned char)value[0]))
                return fail(message, message_size, "--seed: '%s' is not a non-negative integer",
                            value);
            if (errno == ERANGE)
                return fail(message, message_size,
                            "--seed: '%s' is too large; the largest accepted is %llu", value,
                            ULLONG_MAX);
            o->seed = s;
        } else {
            /* the real-valued options */
            if (!parse_double(value, &x))
                return fail(message, message_size, "%s: '%s' is not a finite number", name, value);
            if (!strcmp(name, "--lr")) {
                /* Below FLT_MIN the float is 0 or denormal, and 0 means "unset". */
                if (!(x > 0) || x > 1e6)
                    return fail(message, message_size, "--lr: '%s' must be positive (and below 1e6)",
                                value);
                if (x < FLT_MIN)
                    return fail(message, message_size, "--lr: '%s' is too small for a float",
                                value);
                o->lr = (float)x;
            } else if (!strcmp(name, "--momentum")) {
                if (!(x >= 0 && x < 1))
                    return fail(message, message_size, "--momentum: '%s' must be in [0, 1)", value);
                o->momentum = (float)x;
            } else if (!strcmp(name, "--noise")) {
                if (!(x >= 0) || x > 100)
                    return fail(message, message_size, "--noise: '%s' must be in [0, 100]", value);
                o->noise = (float)x;
            } else if (!strcmp(name, "--validation")) {
                if (!(x >= 0 && x < 1))
                    return fail(message, message_size, "--validation: '%s' must be in [0, 1)",
                                value);
                o->validation = (float)x == 0 ? -1.0f : (float)x; /* 0 would mean the default */
            } else if (!strcmp(name, "--tol")) {
                if (!(x > 0))
                    return fail(message, message_size, "--tol: '%s' must be positive", value);
                o->tol = x;
            } else if (!strcmp(name, "--max-seconds")) {
                if (!(x > 0))
                    return fail(message, message_size, "--max-seconds: '%s' must be positive",
                                value);
                o->max_seconds = x;
            } else if (!strcmp(name, "--scale")) {
                if (!(x >= 0.5 && x <= 4))
                    return fail(message, message_size, "--scale: '%s' must be in [0.5, 4]", value);
                o->ui_scale = (float)x;
            }
        }
    }
    if ((o->apply_output || o->repeat) && !o->apply)
        return fail(message, message_size, "%s: only with --apply",
                    o->apply_output ? "--output" : "--repeat");
    if (o->apply && (o->color || o->pool || o->activation || o->engine))
        return fail(message, message_size, "%s: only for training (not with --apply)",
                    o->color ? "--color" : o->pool ? "--pool" : o->activation ? "--activation"
                                                                             : "--engine");
    if (!o->apply && o->stride > LF_LAYER_MAX_STRIDE)
        return fail(message, message_size, "--stride: %d is above %d, the largest a layer takes",
                    o->stride, LF_LAYER_MAX_STRIDE);
    if (o->kernel_h && !o->target)
        return fail(message, message_size,
                    "--kernel-size: only with --target (a kernel has its own size)");
    if (o->target && o->kernel)
        return fail(message, message_size,
                    "--target: the layer learns either --kernel or --target, not both");
    if (o->target && o->apply)
        return fail(message, message_size, "--target: trains; --apply does not (choose one)");
    if (o->apply && o->headless)
        return fail(message, message_size, "--apply: runs without a window already (drop --headless)");
    if (o->screenshot && o->headless)
        return fail(message, message_size, "--screenshot: only for the window (drop --headless)");
    if (o->layout_out && o->headless)
        return fail(message, message_size, "--layout-out: only for the window (drop --headless)");
    if (o->speed != 0 && o->headless)
        return fail(message, message_size,
                    "--speed: only for the window (a headless run trains as fast as it can)");
    if (o->record_dir && o->headless)
        return fail(message, message_size,
                    "--record-dir: only for the window (headless movies go to --gif FILE)");
    if ((o->save_state || o->resume) && !o->headless)
        return fail(message, message_size, "%s: only with --headless",
                    o->save_state ? "--save-state" : "--resume");
    if (o->reel && !o->headless)
        return fail(message, message_size, "--reel: only with --headless (in the window, M "
                                           "writes a reel of the run so far, Shift+M an MP4)");
    if (o->present && o->headless)
        return fail(message, message_size, "--present: only for the window (a headless "
                                           "--reel is drawn in the presentation layout)");
    return true;
}

bool cli_parse(int argc, char **argv, cli_options *o, lf_error *err)
{
    /* lf_fail makes the reason one printable line whatever argv held. */
    char message[LF_ERROR_MESSAGE_MAX];
    if (!parse(argc, argv, o, message, (int)sizeof message)) {
        lf_fail(err, LF_ERR_ARGUMENT, "%s", message);
        return false;
    }
    lf_error_clear(err);
    return true;
}

bool cli_parse_speed(const char *value, double *speed, lf_error *err)
{
    char message[LF_ERROR_MESSAGE_MAX];
    if (!parse_speed(value, speed, message, (int)sizeof message)) {
        lf_fail(err, LF_ERR_ARGUMENT, "%s", message);
        return false;
    }
    lf_error_clear(err);
    return true;
}

lf_train_settings cli_training_settings(const cli_options *o, const lf_kernel *kernel)
{
    /* The option fields use the request's unset values, so they pass
     * straight through to the core, which owns the defaults. */
    lf_settings_request r = {.optimizer = o->optimizer,
                             .learning_rate = o->lr,
                             .momentum = o->momentum,
                             .nesterov = o->nesterov,
                             .batch_size = o->batch};
    return lf_settings_resolve(kernel, &r);
}
