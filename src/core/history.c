/*
 * history.c: the thinning loss curve. See include/learnfilter/history.h.
 */
#include "learnfilter/history.h"

void lf_history_clear(lf_history *h)
{
    h->count = 0;
    h->stride = 1;
    h->pending = 0;
    h->pending_loss_sum = 0;
}

void lf_history_add(lf_history *h, long step, float epoch, double loss, float val_loss,
                    float rel_err)
{
    h->pending++;
    h->pending_loss_sum += loss;
    if (h->pending < h->stride)
        return;
    if (h->count == LF_HISTORY_MAX) {
        /* Merge neighbours: the curve keeps its whole span at half the
         * resolution, and the stride doubles so it stays that way. */
        for (int i = 0; i < LF_HISTORY_MAX / 2; i++) {
            lf_history_point a = h->points[2 * i], b = h->points[2 * i + 1];
            b.train_loss = 0.5f * (a.train_loss + b.train_loss);
            h->points[i] = b;
        }
        h->count = LF_HISTORY_MAX / 2;
        h->stride *= 2;
        /* The events pending now are the first of a point at the new
         * stride, so every point keeps covering exactly `stride` events. */
        if (h->pending < h->stride)
            return;
    }
    h->points[h->count++] = (lf_history_point){step, epoch,
                                               (float)(h->pending_loss_sum / h->pending),
                                               val_loss, rel_err};
    h->pending = 0;
    h->pending_loss_sum = 0;
}
