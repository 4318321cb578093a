/*
 * insight_internal.h: what insight.c (the thread and the computations) and
 * insight_view.c (the main thread's side: the path, the bowl, the
 * sentences) share; nothing else includes it.
 */
#ifndef LEARNFILTER_INSIGHT_INTERNAL_H
#define LEARNFILTER_INSIGHT_INTERNAL_H

#include <pthread.h>

#include "insight.h"

/* What the window hands the thread: the kernel and the run's settings. */
typedef struct insight_job {
    unsigned generation;
    long step;
    lf_kernel truth, learned;
    float bias;
    lf_padding padding;
    lf_train_settings settings;
    double tolerance;
} insight_job;

struct insight {
    const cli_options *cli;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool quit;                 /* under mutex */
    insight_job job;           /* under mutex: the newest kernel */
    unsigned job_serial, taken_serial; /* under mutex */
    insight_result *shared;    /* under mutex: the newest publication */
    /* The thread's own. */
    insight_job taken;         /* the job being worked on */
    insight_result *work;
    lf_dataset dataset;
    bool dataset_tried;
    float *photo_power;
    int a_kh, a_kw, a_p;       /* what a, values and vectors were computed for */
    lf_padding a_padding;
    double *a, *values, *vectors, *d, *coef;
    bool eigen_ok;
    /* The main thread's own. */
    insight_result *front;
    insight_view view;
    insight_bowl bowl;
    int countdown;
    unsigned posted_generation;
    long posted_step;
    bool posted_any;
    /* The path: every parameter of the frames kept, taps then bias. */
    float *path;               /* INSIGHT_PATH_MAX x INSIGHT_BOWL_MAX_PARAMS */
    int path_count, path_params, path_stride, path_skipped;
    long path_step;
    unsigned path_generation;
    float path_x[INSIGHT_PATH_MAX], path_y[INSIGHT_PATH_MAX];
    int pick_kh, pick_kw;
};

#endif
