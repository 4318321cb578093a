/*
 * cli.h: the command line, shared by the window and the headless trainer.
 *
 * Option names are matched without case, and an unknown one that is a near
 * miss of a real one is answered with "did you mean".
 *
 * Both front ends take the same training options, so a lesson can start the
 * window in exactly the state a headless run was in. Parsing only checks
 * and records; it never loads files. Every field left unset by the user has
 * an "unset" value (documented per field) so the front end can fill in the
 * kernel's own defaults afterwards with cli_training_settings.
 */
#ifndef LEARNFILTER_CLI_H
#define LEARNFILTER_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "learnfilter/conv.h"
#include "learnfilter/error.h"
#include "learnfilter/kernel.h"
#include "learnfilter/optimizer.h"

#define CLI_MAX_IMAGE_PATHS 64

/* Exit codes of the program, as documented in --help and the README. */
enum {
    EXIT_OK = 0,
    EXIT_NOT_CONVERGED = 1, /* --tol was given and not reached */
    EXIT_USAGE = 2,         /* bad command line */
    EXIT_INPUT = 3,         /* unusable image, kernel or output file */
    EXIT_DIVERGED = 4       /* training stopped on non-finite numbers */
};

/* What a --gif movie shows. */
typedef enum cli_gif_layout {
    CLI_GIF_LAYOUT_KERNEL = 0, /* the learned and true kernels, a colorbar, the epoch */
    CLI_GIF_LAYOUT_FULL        /* the window's whole layout, --width x --height */
} cli_gif_layout;

typedef struct cli_options {
    /* what to do */
    bool headless, help, version, list_kernels;
    /* data */
    const char *kernel;                            /* name or file; NULL: sobel-x */
    const char *target;                            /* --target: an operation to learn
                                                      instead of a kernel (as --apply) */
    int kernel_h, kernel_w;                        /* --kernel-size HxW with --target;
                                                      0: the operation's window */
    const char *images[CLI_MAX_IMAGE_PATHS];       /* files or folders; none: data/ */
    int image_count;
    int size;                                      /* patch side; 0: 256 */
    int downscale;                                 /* 0: 1 */
    int patch_stride;                              /* 0: the patch size */
    int variants;                                  /* 0: 1 (dataset.h) */
    float noise;                                   /* input noise sigma; 0: none */
    float validation;                              /* 0: 0.2; negative: none */
    lf_padding padding;
    /* the layer (training); --stride is also the layer's stride without --apply */
    bool color;                                    /* --color: R, G, B planes in */
    int pool;                                      /* --pool N: N x N max pooling; 0: none */
    int activation;                                /* --activation: lf_activation; 0: none */
    int engine;                                    /* --engine: lf_engine; 0: auto */
    /* training; unset values take the kernel's defaults */
    int optimizer;                                 /* -1 unset, else lf_optimizer_kind */
    float lr;                                      /* 0 unset */
    float momentum;                                /* negative unset */
    int nesterov;                                  /* -1 unset, 0, 1 */
    int batch;                                     /* 0 unset */
    uint64_t seed;
    /* when to stop (headless) */
    long epochs;                                   /* 0 unset: 100, or no limit with --tol */
    long steps;                                    /* 0: no limit */
    double tol;                                    /* 0: none (converged is still 1%) */
    double max_seconds;                            /* 0: no limit */
    int threads;                                   /* headless worker threads; 0: all cores */
    /* outputs */
    const char *weights_out;                       /* .npy or .csv */
    const char *gif;                               /* movie of the kernel (headless) */
    const char *video;                             /* the same movie as MP4, via ffmpeg */
    long gif_every;                                /* steps between frames; 0: each epoch */
    int gif_fps;                                   /* 0: 10 */
    int gif_loop;                                  /* GIF repeat count: 0 forever, -1 plays once */
    int gif_layout;                                /* cli_gif_layout */
    const char *record_dir;                        /* window recordings; NULL: current folder */
    const char *dump_patches;                      /* .npy: the training data, for comparisons */
    const char *save_state;                        /* headless: the training state at the end */
    const char *resume;                            /* headless: a state to continue */
    const char *race;                              /* --race 'OPTIONS': a second run that
                                                      differs by them (race.h) */
    /* --apply: one operation on one image, no training */
    const char *apply;                             /* KIND:N, KIND:plus, or a kernel */
    const char *apply_output;                      /* --output: .npy, .txt or .png; NULL: stdout */
    int repeat;                                    /* 0: 1 */
    int stride;                                    /* --apply's, or the layer's; 0: 1 */
    /* window */
    int frames;                                    /* 0: run until closed */
    const char *screenshot;                        /* PNG written after the last frame */
    const char *layout_out;                        /* JSON of the last frame's boxes */
    bool hover;                                    /* --hover: the mouse at hover_x, hover_y */
    int hover_x, hover_y;                          /* window pixels */
    const char *press;                             /* --press: keys, one a frame */
    bool stats;                                    /* JSON line of frame times on exit */
    float ui_scale;                                /* 0: from the window size */
    bool fullscreen;
    bool start_paused;                             /* --paused: open paused at step 0 */
    double speed;                                  /* steps/s; 0: the kernel's pace;
                                                      CLI_SPEED_MAX: no limit */
    bool show_help;                                /* --show-help: open with the help shown */
    bool explore;                                  /* --explore: open in explore mode */
    bool present;                                  /* --present: the presentation layout */
    const char *reel;                              /* --reel: a captioned movie of the run
                                                      (.gif or .mp4), written at its end */
    int width, height;                             /* window size, and the frame size of
                                                      --gif-layout full; 0: 1280x720 */
} cli_options;

/* --speed: a number of steps per second in [CLI_SPEED_MIN, CLI_SPEED_LIMIT],
 * or "max" (any case) for no limit. */
#define CLI_SPEED_MAX (-1.0)
#define CLI_SPEED_MIN 1.0
#define CLI_SPEED_LIMIT 1e7
bool cli_parse_speed(const char *value, double *speed, lf_error *err);

/* Parses argv into *out. On a usage error returns false with one line in
 * err (may be NULL) naming the option and the reason, status
 * LF_ERR_ARGUMENT. */
bool cli_parse(int argc, char **argv, cli_options *out, lf_error *err);

/* The training settings for kernel: its defaults, overridden by whatever
 * the user gave. */
lf_train_settings cli_training_settings(const cli_options *o, const lf_kernel *kernel);

/* The --help text. */
void cli_print_help(void *stream);

#endif
