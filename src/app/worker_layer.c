/*
 * worker_layer.c: what the worker publishes for a layer beyond one gray
 * filter (worker.h's worker_layer and worker_layer_images).
 *
 * The frame gets every filter's weights, bias and error: a copy, cheap
 * enough for each publication. The images get the sample patch and, per
 * filter, the layer's output now and the target, after the activation and
 * the pooling: two forward passes through the core's own layer routines
 * (layer.h), made here on the worker at image time so the window never
 * computes a feature map while it draws. The buffers are sized once from
 * the layer's shape; a shape that grows past them (new photos of another
 * patch size cannot, but a check costs nothing) leaves the images out.
 */
#include <stdlib.h>
#include <string.h>

#include "worker_internal.h"

/* The scratch the forward passes need: the activations and the fast
 * routines' workspace, sized from the shape at creation. */
struct worker_layer_work {
    size_t act_capacity, work_capacity;
    float *act, *work;
    float *params;       /* the learned parameters, copied so the passes read one block */
    size_t param_capacity;
};

static bool trainer_is_layer(const lf_trainer *t)
{
    return !lf_layer_options_plain(&lf_trainer_get_options(t)->layer);
}

lf_status worker_layer_create(worker *w, lf_error *err)
{
    if (!trainer_is_layer(w->trainer))
        return LF_OK;
    const lf_layer_shape *s = lf_trainer_layer_shape(w->trainer);
    struct worker_layer_work *k = calloc(1, sizeof *k);
    if (!k)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the layer's feature maps");
    k->act_capacity = s->act_count;
    k->work_capacity = s->work_count;
    k->param_capacity = s->param_count;
    k->act = malloc(sizeof(float) * (k->act_capacity ? k->act_capacity : 1));
    k->work = malloc(sizeof(float) * (k->work_capacity ? k->work_capacity : 1));
    k->params = malloc(sizeof(float) * (k->param_capacity ? k->param_capacity : 1));
    w->layer_work = k;
    bool ok = k->act && k->work && k->params;
    for (int i = 0; i < 3 && ok; i++) {
        worker_layer_images *im = &w->images[i].layer;
        im->in_capacity = s->in_count;
        im->out_capacity = s->out_count;
        im->input = malloc(sizeof(float) * s->in_count);
        im->maps = malloc(sizeof(float) * s->out_count);
        im->targets = malloc(sizeof(float) * s->out_count);
        ok = im->input && im->maps && im->targets;
    }
    if (!ok) {
        worker_layer_destroy(w);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the layer's feature maps");
    }
    return LF_OK;
}

void worker_layer_destroy(worker *w)
{
    for (int i = 0; i < 3; i++) {
        worker_layer_images *im = &w->images[i].layer;
        free(im->input);
        free(im->maps);
        free(im->targets);
        memset(im, 0, sizeof *im);
    }
    struct worker_layer_work *k = w->layer_work;
    if (k) {
        free(k->act);
        free(k->work);
        free(k->params);
        free(k);
    }
    w->layer_work = NULL;
}

void worker_layer_fill_frame(const worker *w, worker_layer *out)
{
    const lf_trainer *t = w->trainer;
    out->active = trainer_is_layer(t);
    if (!out->active)
        return;
    const lf_layer_shape *s = lf_trainer_layer_shape(t);
    const lf_layer_options *o = &lf_trainer_get_options(t)->layer;
    int filters = lf_trainer_filters(t);
    int count = lf_trainer_weight_count(t);
    const int room = (int)(sizeof out->learned / sizeof out->learned[0]);
    if (filters > LF_KERNEL_MAX_FILTERS || count > room || count < 0) {
        out->active = false; /* beyond what a frame holds: lf_kernel_bank_resolve's limits */
        return;
    }
    out->filters = filters;
    out->channels = s->channels;
    out->k_height = s->k_height;
    out->k_width = s->k_width;
    out->stride = s->stride;
    out->pool = s->pool;
    out->activation = o->activation;
    const float *params = lf_trainer_weights(t);
    memcpy(out->learned, params, sizeof(float) * (size_t)count);
    memcpy(out->biases, params + count, sizeof(float) * (size_t)filters);
    for (int f = 0; f < filters; f++)
        out->rel_err[f] = lf_trainer_filter_rel_err(t, f);
}

void worker_layer_fill_images(worker *w, worker_layer_images *out)
{
    struct worker_layer_work *k = w->layer_work;
    out->has = false;
    if (!k || !out->input)
        return;
    lf_trainer *t = w->trainer;
    const lf_layer_shape *s = lf_trainer_layer_shape(t);
    const lf_dataset *ds = lf_trainer_dataset(t);
    if (s->in_count > out->in_capacity || s->out_count > out->out_capacity ||
        s->act_count > k->act_capacity || s->work_count > k->work_capacity ||
        s->param_count > k->param_capacity || ds->patch_count < 1 ||
        (size_t)lf_dataset_patch_floats(ds) != s->in_count)
        return;
    int patch = lf_trainer_get_options(t)->sample_patch;
    patch = patch < 0 ? 0 : patch % ds->patch_count;
    memcpy(out->input, lf_dataset_input(ds, patch), sizeof(float) * s->in_count);
    memcpy(k->params, lf_trainer_weights(t), sizeof(float) * s->param_count);
    lf_layer_forward(out->maps, k->act, out->input, k->params, s, k->work);
    /* The target of the clean patch, as the trainer learns it (with
     * --noise the input above is the noisy one the network sees). */
    lf_layer_targets(out->targets, k->act, lf_dataset_clean(ds, patch),
                     lf_trainer_get_options(t)->target.weights, s, k->work);
    out->channels = s->channels;
    out->in_height = s->in_height;
    out->in_width = s->in_width;
    out->filters = s->filters;
    out->out_height = s->out_height;
    out->out_width = s->out_width;
    out->has = true;
}
