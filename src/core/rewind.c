/*
 * rewind.c: the ring of past training states. See
 * include/learnfilter/rewind.h.
 *
 * The states are kept oldest first in slots[0..count), with their steps
 * beside them so thinning and searching never decode a state. Thinning
 * moves slot pointers, not bytes: a state is encoded once, when taken.
 */
#include "learnfilter/rewind.h"

#include <math.h>
#include <stdlib.h>

struct lf_rewind {
    lf_state *slots[LF_REWIND_SLOTS]; /* [0, count) held; later ones spare or NULL */
    long steps[LF_REWIND_SLOTS];      /* the step of each held state */
    int count;
    long stride;                      /* states are kept at multiples of it */
    int capacity;                     /* slots for states of the last size seen */
};

lf_rewind *lf_rewind_create(void)
{
    lf_rewind *ring = calloc(1, sizeof *ring);
    if (ring) {
        ring->stride = 1;
        ring->capacity = LF_REWIND_SLOTS;
    }
    return ring;
}

void lf_rewind_destroy(lf_rewind *ring)
{
    if (!ring)
        return;
    for (int i = 0; i < LF_REWIND_SLOTS; i++)
        lf_state_destroy(ring->slots[i]);
    free(ring);
}

void lf_rewind_clear(lf_rewind *ring)
{
    ring->count = 0;
    ring->stride = 1;
}

bool lf_rewind_due(const lf_rewind *ring, long step)
{
    return step >= 0 && step % ring->stride == 0 &&
           (ring->count == 0 || step > ring->steps[ring->count - 1]);
}

/* Keeps the states at multiples of twice the stride, which doubles. A ring
 * of states at consecutive multiples loses half of them; after a branch
 * the multiples may have gaps, so it repeats until a slot is free. */
static void thin_until_below(lf_rewind *ring, int limit)
{
    while (ring->count >= limit && ring->count > 1) {
        long stride = ring->stride * 2;
        int kept = 0;
        for (int i = 0; i < ring->count; i++) {
            if (ring->steps[i] % stride != 0)
                continue;
            /* Swap, not copy: the dropped state's memory becomes a spare. */
            lf_state *s = ring->slots[kept];
            ring->slots[kept] = ring->slots[i];
            ring->slots[i] = s;
            ring->steps[kept] = ring->steps[i];
            kept++;
        }
        ring->count = kept;
        ring->stride = stride;
    }
}

/* Slots for states of size bytes, and the memory of slots past them let go. */
static void fit_capacity(lf_rewind *ring, size_t size)
{
    long slots = size ? (long)(LF_REWIND_MAX_BYTES / (long)size) : LF_REWIND_SLOTS;
    slots = slots < LF_REWIND_MIN_SLOTS ? LF_REWIND_MIN_SLOTS
            : slots > LF_REWIND_SLOTS   ? LF_REWIND_SLOTS
                                        : slots;
    ring->capacity = (int)slots;
    thin_until_below(ring, ring->capacity + 1);
    for (int i = ring->capacity; i < LF_REWIND_SLOTS; i++) {
        lf_state_destroy(ring->slots[i]);
        ring->slots[i] = NULL;
    }
}

lf_status lf_rewind_record(lf_rewind *ring, lf_trainer *trainer, bool *kept, lf_error *err)
{
    if (kept)
        *kept = false;
    long step = lf_trainer_figures(trainer)->step;
    if (!lf_rewind_due(ring, step))
        return LF_OK;
    thin_until_below(ring, ring->capacity);
    if (!lf_rewind_due(ring, step))
        return LF_OK; /* the stride grew past this step */
    int at = ring->count;
    if (!ring->slots[at] && !(ring->slots[at] = lf_state_create()))
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the rewind ring");
    lf_status st = lf_trainer_save_state(trainer, ring->slots[at], err);
    if (st != LF_OK)
        return st;
    ring->steps[at] = step;
    ring->count++;
    size_t size;
    lf_state_bytes(ring->slots[at], &size);
    fit_capacity(ring, size);
    if (kept)
        *kept = ring->count > 0 && ring->steps[ring->count - 1] == step;
    return LF_OK;
}

int lf_rewind_count(const lf_rewind *ring) { return ring->count; }

long lf_rewind_stride(const lf_rewind *ring) { return ring->stride; }

long lf_rewind_step_at(const lf_rewind *ring, int index)
{
    return index >= 0 && index < ring->count ? ring->steps[index] : -1;
}

int lf_rewind_steps(const lf_rewind *ring, long *steps, int capacity)
{
    int n = ring->count < capacity ? ring->count : capacity;
    for (int i = 0; i < n; i++)
        steps[i] = ring->steps[i];
    return n < 0 ? 0 : n;
}

int lf_rewind_nearest(const lf_rewind *ring, double step)
{
    int best = -1;
    double best_d = INFINITY;
    for (int i = 0; i < ring->count; i++) {
        double d = fabs((double)ring->steps[i] - step);
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

const lf_state *lf_rewind_state(const lf_rewind *ring, int index)
{
    return index >= 0 && index < ring->count ? ring->slots[index] : NULL;
}

lf_status lf_rewind_restore(const lf_rewind *ring, int index, lf_trainer *trainer,
                            lf_error *err)
{
    if (index < 0 || index >= ring->count)
        return lf_fail(err, LF_ERR_ARGUMENT, "no stored state %d: the ring holds %d", index,
                       ring->count);
    return lf_trainer_restore_state(trainer, ring->slots[index], err);
}

int lf_rewind_truncate(lf_rewind *ring, int keep)
{
    keep = keep < 0 ? 0 : keep;
    if (keep >= ring->count)
        return 0;
    int dropped = ring->count - keep;
    ring->count = keep;
    return dropped;
}

int lf_rewind_capacity(const lf_rewind *ring) { return ring->capacity; }

size_t lf_rewind_bytes(const lf_rewind *ring)
{
    size_t total = 0;
    for (int i = 0; i < LF_REWIND_SLOTS; i++)
        if (ring->slots[i]) {
            size_t n;
            lf_state_bytes(ring->slots[i], &n);
            total += n;
        }
    return total;
}
