/*
 * rewind.h: a run's past training states in fixed memory, to go back to.
 *
 * A rewind ring keeps whole training states (state.h) taken as a trainer
 * trains, in at most LF_REWIND_SLOTS slots of at most LF_REWIND_MAX_BYTES
 * together. It keeps the states at the steps that are multiples of its
 * stride; when it is full, every other one goes (those not at a multiple
 * of twice the stride) and the stride doubles, as the loss history
 * (history.h) thins its points. So a run of any length fits, and the
 * states left are spread evenly over the whole run.
 *
 * A state put back (lf_rewind_restore) is exactly the one stored: the
 * trainer continues from it as the original did. Dropping the states after
 * one (lf_rewind_truncate) is how a run that trains on from a past point
 * branches off.
 *
 * Memory: each slot's state is allocated once and reused, and slots past
 * the capacity are freed, so the ring holds at most lf_rewind_capacity()
 * states of the run's size: at most LF_REWIND_MAX_BYTES, or
 * LF_REWIND_MIN_SLOTS states when a state is larger than its share of
 * that. The README gives measured figures for a 3x3 kernel and the
 * smiley.
 *
 * Usage:
 *   lf_rewind *ring = lf_rewind_create();
 *   for (...) { lf_trainer_step(t, &err); lf_rewind_record(ring, t, &err); }
 *   lf_rewind_restore(ring, lf_rewind_nearest(ring, 500), t, &err);
 *   lf_rewind_destroy(ring);
 */
#ifndef LEARNFILTER_REWIND_H
#define LEARNFILTER_REWIND_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/error.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most states a ring holds: enough for a timeline to show the run's
 * course (a state about every 1/64 of it), few enough to fit any kernel. */
#ifndef LF_REWIND_SLOTS
#define LF_REWIND_SLOTS 64
#endif
/* The most memory the held states take together; states bigger than this
 * over LF_REWIND_SLOTS (many training patches: the epoch order grows with
 * them) are held in fewer slots, never fewer than LF_REWIND_MIN_SLOTS. */
#ifndef LF_REWIND_MAX_BYTES
#define LF_REWIND_MAX_BYTES (32L * 1024 * 1024)
#endif
#define LF_REWIND_MIN_SLOTS 4

typedef struct lf_rewind lf_rewind;

/* An empty ring of stride 1; NULL when out of memory. Destroy accepts NULL. */
lf_rewind *lf_rewind_create(void);
void lf_rewind_destroy(lf_rewind *ring);

/* Forgets every state (a new run) and goes back to stride 1; keeps the
 * memory for the next run. */
void lf_rewind_clear(lf_rewind *ring);

/* Whether lf_rewind_record would keep the state of a trainer at step: a
 * multiple of the stride past the last state held. Cheap: ask it after
 * every step. */
bool lf_rewind_due(const lf_rewind *ring, long step);

/* Keeps the trainer's state when it is due (*kept says whether), thinning
 * the ring first when it is full. LF_ERR_NOMEM (the ring is left as it
 * was), or a state that cannot be saved (state.h). kept may be NULL. */
lf_status lf_rewind_record(lf_rewind *ring, lf_trainer *trainer, bool *kept, lf_error *err);

/* States held, oldest first (index 0), and the stride between them. */
int lf_rewind_count(const lf_rewind *ring);
long lf_rewind_stride(const lf_rewind *ring);
/* The step of state index, or -1 outside [0, count). */
long lf_rewind_step_at(const lf_rewind *ring, int index);
/* The steps of the states held into steps[0..capacity), oldest first;
 * returns how many were written. */
int lf_rewind_steps(const lf_rewind *ring, long *steps, int capacity);
/* The index of the state whose step is nearest to step (the earlier of two
 * as near), or -1 when empty. */
int lf_rewind_nearest(const lf_rewind *ring, double step);
/* The state at index, or NULL outside [0, count). */
const lf_state *lf_rewind_state(const lf_rewind *ring, int index);

/* Puts the trainer back to state index (lf_trainer_restore_state).
 * LF_ERR_ARGUMENT for an index outside [0, count). */
lf_status lf_rewind_restore(const lf_rewind *ring, int index, lf_trainer *trainer,
                            lf_error *err);

/* Keeps the first keep states and drops the rest (a branch from state
 * keep - 1); returns how many were dropped. The stride stays. */
int lf_rewind_truncate(lf_rewind *ring, int keep);

/* Slots the ring uses for states of its current size (LF_REWIND_SLOTS
 * unless they are large), and the bytes its states take now. */
int lf_rewind_capacity(const lf_rewind *ring);
size_t lf_rewind_bytes(const lf_rewind *ring);

#ifdef __cplusplus
}
#endif
#endif
