/*
 * trainer.c: one training step, read top to bottom.
 * See include/learnfilter/trainer.h for the contract.
 *
 * A step is five phases, as in any training loop:
 *
 *   batch     the next batch_size patches of this epoch's order
 *   targets   what each engine keeps per patch (statistics, spectra, the
 *             true kernel's outputs while they fit), built once; past the
 *             bound the outputs are made as they are compared
 *             (trainer_cache.c)
 *   forward, loss, backward
 *             by the engine in use (engine_direct.c, engine_gram.c), fused
 *             per patch so each patch's data is read once
 *   update    the optimizer moves the parameters
 *   record    figures, loss curves, the end of an epoch
 *
 * Nothing here allocates. Lifecycle and setters are in trainer_life.c,
 * per-patch caches and on-demand targets in trainer_cache.c.
 */
#include <math.h>
#include <string.h>

#include "trainer_internal.h"

/* The patches of the next batch (into this epoch's order) and how many:
 * batch_size, or fewer for the epoch's last batch, as Keras does. A new
 * epoch starts with a reshuffle of the previous order. */
static int next_batch(lf_trainer *t, const int **patches)
{
    trainer_state *s = &t->state;
    const int train = t->dataset->train_count;
    if (s->cursor == 0)
        lf_rng_shuffle(&s->order_rng, s->order, train);
    int batch = t->options.settings.batch_size;
    if (batch > train - s->cursor)
        batch = train - s->cursor;
    *patches = s->order + s->cursor;
    return batch;
}

/* The optimizer's memory is sized for the largest kernel; only this
 * kernel's parameters move (the rest are zero with zero gradients and
 * would stay so), so it sees a view of param_count of them. The
 * parameters before the update are kept, to go back to on divergence. */
static void update(lf_trainer *t)
{
    trainer_state *s = &t->state;
    memcpy(t->saved, s->params, sizeof(float) * (size_t)t->param_count);
    lf_optimizer_state view = s->optimizer;
    view.count = t->param_count;
    lf_optimizer_step(s->params, t->grads, &view, &t->options.settings);
    s->optimizer.step = view.step;
}

/* ||w - k||, the weights' distance from the kernel (bias excluded). */
static double kernel_distance(const lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    double sum = 0;
    for (int i = 0; i < t->weight_count; i++) {
        double d = (double)t->state.params[i] - k->weights[i];
        sum += d * d;
    }
    return sqrt(sum);
}

static bool params_finite(const lf_trainer *t)
{
    for (int i = 0; i < t->param_count; i++)
        if (!isfinite(t->state.params[i]))
            return false;
    return true;
}

/* A non-finite loss or weight, or weights that ran away (see
 * LF_DIVERGENCE_GROWTH). */
static bool diverged(const lf_trainer *t, double loss)
{
    return !isfinite(loss) || !params_finite(t) || !(kernel_distance(t) <= t->runaway_distance);
}

/* Figures and loss curves after a step of `batch` patches; at the end of
 * the epoch, the validation loss and the epoch's point. */
static void record(lf_trainer *t, double loss, double rel, int batch)
{
    trainer_state *s = &t->state;
    lf_figures *f = &s->figures;
    const lf_dataset *ds = t->dataset;
    f->step++;
    f->step_in_epoch++;
    f->step_loss = loss;
    f->rel_err = rel;
    if (!(rel >= f->best_rel_err))
        f->best_rel_err = rel;
    f->converged = rel <= t->options.tolerance;
    if (f->converged && f->converged_step < 0)
        f->converged_step = f->step;
    s->epoch_loss_sum += loss;
    s->cursor += batch;
    float epoch_position = (float)f->epoch + (float)f->step_in_epoch / (float)f->steps_per_epoch;
    lf_history_add(&s->step_history, f->step, epoch_position, loss, NAN, (float)rel);

    if (s->cursor >= ds->train_count) {
        f->train_loss = s->epoch_loss_sum / f->step_in_epoch;
        f->val_loss = lf_trainer_evaluate(t, ds->train_count, ds->validation_count);
        f->epoch++;
        lf_history_add(&s->epoch_history, f->step, (float)f->epoch, f->train_loss,
                       (float)f->val_loss, (float)rel);
        s->cursor = 0;
        f->step_in_epoch = 0;
        s->epoch_loss_sum = 0;
    }
}

lf_status lf_trainer_step(lf_trainer *t, lf_error *err)
{
    lf_figures *f = &t->state.figures;
    if (f->diverged)
        return lf_fail(err, LF_ERR_DIVERGED,
                       "training diverged: lower the learning rate or reset");

    const int *patches;
    const int batch = next_batch(t, &patches);

    t->engine->targets(t, patches, batch);

    /* Loss = mean over the batch and pixels of (out - target)^2, so
     * dLoss/dout = 2 (out - target) / (batch * area). */
    const int area = trainer_out_area(t);
    memset(t->grads, 0, sizeof(float) * (size_t)t->param_count);
    const float scale = 2.0f / ((float)batch * (float)area);
    double loss = t->engine->forward_backward(t, patches, batch, scale);
    loss /= (double)batch * area;

    update(t);

    double rel = trainer_relative_error(t);
    if (diverged(t, loss)) {
        memcpy(t->state.params, t->saved, sizeof(float) * (size_t)t->param_count);
        f->diverged = true;
        return lf_fail(err, LF_ERR_DIVERGED,
                       "training diverged at step %ld (learning rate %g): lower the learning "
                       "rate or reset",
                       f->step + 1, (double)t->options.settings.learning_rate);
    }

    record(t, loss, rel, batch);
    t->detail_step = f->step; /* grads and saved describe this step until the next */
    t->detail_batch = batch;
    return LF_OK;
}

double lf_trainer_evaluate(lf_trainer *t, int first, int count)
{
    if (count <= 0)
        return NAN;
    return t->engine->evaluate(t, first, count);
}
