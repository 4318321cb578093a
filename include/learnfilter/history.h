/*
 * history.h: a loss curve of any length in fixed memory.
 *
 * A history keeps at most LF_HISTORY_MAX points. When it is full, each pair
 * of neighbours merges into one and the stride (events per point) doubles,
 * so a run of any length fits and the chart still covers all of it. The
 * trainer keeps two: one point per epoch (with the validation loss) and one
 * every few steps (for a live chart).
 */
#ifndef LEARNFILTER_HISTORY_H
#define LEARNFILTER_HISTORY_H

#ifdef __cplusplus
extern "C" {
#endif

#define LF_HISTORY_MAX 512

typedef struct lf_history_point {
    long step;
    float epoch;      /* fractional: step / steps_per_epoch */
    float train_loss; /* mean step loss since the previous point */
    float val_loss;   /* NaN in the step history, or without validation */
    float rel_err;
} lf_history_point;

typedef struct lf_history {
    int count;
    int stride;  /* events (steps or epochs) per point */
    int pending; /* events since the last point */
    double pending_loss_sum;
    lf_history_point points[LF_HISTORY_MAX];
} lf_history;

/* Empty, stride 1. */
void lf_history_clear(lf_history *h);

/* One event (a step or an epoch) with its loss; a point is added once
 * `stride` events have gathered, their losses averaged. */
void lf_history_add(lf_history *h, long step, float epoch, double loss, float val_loss,
                    float rel_err);

#ifdef __cplusplus
}
#endif
#endif
