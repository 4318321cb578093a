/*
 * state_format.c: the training state's bytes: encoding, checking, and
 * decoding into a trainer. See include/learnfilter/state.h for what a state
 * holds and why; state.c holds the bytes.
 *
 * One encoder and one decoder serve memory and files alike. The decoder
 * runs twice over a state: once to check it (when it is set from bytes;
 * nothing is written anywhere), and once to restore it into a trainer,
 * which can then no longer fail half-way, since the bytes were checked.
 *
 * Versions. Version 1 holds one gray filter; version 2 adds the layer
 * section and a bank of weights. A state of one gray filter is still
 * written as version 1, byte for byte as before, so programs that read
 * only version 1 keep reading those; a layer's is written as version 2.
 * Both are read.
 *
 * Layout, all little-endian, floats by their bits:
 *   header   "LFSTATE\0", u32 version, u32 0, u64 body bytes, u64 FNV-1a of the body
 *   data     u32 patch size, patch count, training count, validation count;
 *            u64 FNV-1a of the input pixels' bits (every channel)
 *   run      u32 kernel height, width; version 2 only: u32 channels C,
 *            filters F, stride, pool (1: none), activation (layer.h's
 *            enum); f32 weights, F x C x height x width of them (version
 *            1: height x width); u32 name length, name;
 *            u32 optimizer; f32 rate, momentum; u8 Nesterov; f32 beta1,
 *            beta2, epsilon; u32 batch; u32 padding; u64 seed; f64 tolerance
 *   state    u32 parameters P; f32 P parameters; u64 optimizer step;
 *            f32 P first moments; f32 P second moments; u64 x4 shuffle
 *            generator; u32 cursor; f64 epoch loss sum; u32 order[training count]
 *   figures  i64 step; i32 epoch, step in epoch, steps per epoch; f64 step
 *            loss, training loss, validation loss, relative error, best;
 *            i64 converged step; u8 converged, diverged
 *   curves   twice (steps, then epochs): u32 count, stride, pending;
 *            f64 pending sum; count x (i64 step; f32 epoch, training loss,
 *            validation loss, relative error)
 */
#include "state_format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/state.h"
#include "state_bytes.h"
#include "state_layer.h"
#include "trainer_internal.h"

static const unsigned char MAGIC[8] = {'L', 'F', 'S', 'T', 'A', 'T', 'E', 0};
enum { HEADER_BYTES = 8 + 4 + 4 + 8 + 8 };

/* The inputs' checksum, a 32-bit word at a time: it runs over every pixel
 * of the training data, hundreds of megabytes for a large set. */
static uint64_t dataset_hash(const lf_dataset *ds)
{
    uint64_t h = FNV_START;
    size_t n = (size_t)ds->patch_count * (size_t)lf_dataset_patch_floats(ds);
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &ds->inputs[i], sizeof bits);
        h = (h ^ bits) * FNV_PRIME;
    }
    return h;
}

static uint64_t trainer_dataset_hash(lf_trainer *t)
{
    if (!t->dataset_hashed) {
        t->dataset_hash = dataset_hash(t->dataset);
        t->dataset_hashed = true;
    }
    return t->dataset_hash;
}

/* ============================================================ writing */

static void put_history(writer *w, const lf_history *h)
{
    put_u32(w, (uint32_t)h->count);
    put_u32(w, (uint32_t)h->stride);
    put_u32(w, (uint32_t)h->pending);
    put_f64(w, h->pending_loss_sum);
    for (int i = 0; i < h->count; i++) {
        const lf_history_point *p = &h->points[i];
        put_u64(w, (uint64_t)p->step);
        put_f32(w, p->epoch);
        put_f32(w, p->train_loss);
        put_f32(w, p->val_loss);
        put_f32(w, p->rel_err);
    }
}

/* The format version a trainer's state is written in: see the top. */
static uint32_t trainer_state_version(const lf_trainer *t) { return t->plain ? 1 : 2; }

/* The body: everything after the header. */
static void put_body(writer *w, lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    const lf_trainer_options *o = &t->options;
    const lf_train_settings *s = &o->settings;
    const trainer_state *st = &t->state;
    const lf_figures *f = &st->figures;

    put_u32(w, (uint32_t)ds->patch_size);
    put_u32(w, (uint32_t)ds->patch_count);
    put_u32(w, (uint32_t)ds->train_count);
    put_u32(w, (uint32_t)ds->validation_count);
    put_u64(w, trainer_dataset_hash(t));

    put_u32(w, (uint32_t)o->target.height);
    put_u32(w, (uint32_t)o->target.width);
    if (trainer_state_version(t) >= 2) {
        state_layer layer = state_layer_of(&o->layer);
        state_layer_put(w, &layer);
    }
    for (int i = 0; i < t->weight_count; i++)
        put_f32(w, o->target.weights[i]);
    size_t name_length = 0; /* C11 has no strnlen */
    while (name_length < LF_KERNEL_NAME_MAX - 1 && o->target.name[name_length])
        name_length++;
    put_u32(w, (uint32_t)name_length);
    put(w, o->target.name, name_length);
    put_u32(w, (uint32_t)s->optimizer);
    put_f32(w, s->learning_rate);
    put_f32(w, s->momentum);
    put_u8(w, s->nesterov);
    put_f32(w, s->beta1);
    put_f32(w, s->beta2);
    put_f32(w, s->epsilon);
    put_u32(w, (uint32_t)s->batch_size);
    put_u32(w, (uint32_t)o->padding);
    put_u64(w, o->seed);
    put_f64(w, o->tolerance);

    put_u32(w, (uint32_t)t->param_count);
    for (int i = 0; i < t->param_count; i++)
        put_f32(w, st->params[i]);
    put_u64(w, (uint64_t)st->optimizer.step);
    for (int i = 0; i < t->param_count; i++)
        put_f32(w, st->optimizer.first[i]);
    for (int i = 0; i < t->param_count; i++)
        put_f32(w, st->optimizer.second[i]);
    for (int i = 0; i < 4; i++)
        put_u64(w, st->order_rng.state[i]);
    put_u32(w, (uint32_t)st->cursor);
    put_f64(w, st->epoch_loss_sum);
    for (int i = 0; i < ds->train_count; i++)
        put_u32(w, (uint32_t)st->order[i]);

    put_u64(w, (uint64_t)f->step);
    put_u32(w, (uint32_t)f->epoch);
    put_u32(w, (uint32_t)f->step_in_epoch);
    put_u32(w, (uint32_t)f->steps_per_epoch);
    put_f64(w, f->step_loss);
    put_f64(w, f->train_loss);
    put_f64(w, f->val_loss);
    put_f64(w, f->rel_err);
    put_f64(w, f->best_rel_err);
    put_u64(w, (uint64_t)f->converged_step);
    put_u8(w, f->converged);
    put_u8(w, f->diverged);

    put_history(w, &st->step_history);
    put_history(w, &st->epoch_history);
}

static void put_header(unsigned char *out, uint32_t version, const unsigned char *body,
                       size_t body_size)
{
    writer w = {out, 0};
    put(&w, MAGIC, sizeof MAGIC);
    put_u32(&w, version);
    put_u32(&w, 0);
    put_u64(&w, body_size);
    put_u64(&w, fnv_bytes(body, body_size));
}

size_t state_encoded_size(lf_trainer *t)
{
    writer count = {NULL, 0};
    put_body(&count, t);
    return HEADER_BYTES + count.size;
}

void state_encode(lf_trainer *t, unsigned char *out)
{
    writer w = {out + HEADER_BYTES, 0};
    put_body(&w, t);
    put_header(out, trainer_state_version(t), out + HEADER_BYTES, w.size);
}

/* ============================================================ reading */

/* What the decoder found before the state proper: the data it was taken
 * on and the run's options. */
typedef struct state_head {
    int patch_size, patch_count, train_count, validation_count;
    uint64_t data_hash;
    state_layer layer;      /* one gray filter in a version 1 state */
    int weight_count;       /* F C kh kw: the bank in target's weights */
    int param_count;        /* the weights and F biases */
    lf_kernel target;
    lf_train_settings settings;
    lf_padding padding;
    uint64_t seed;
    double tolerance;
} state_head;

#define BAD(...) lf_fail(err, LF_ERR_INPUT, __VA_ARGS__)

static lf_status get_head(reader *r, uint32_t version, state_head *h, const char *name,
                          lf_error *err)
{
    memset(h, 0, sizeof *h);
    if (!get_count(r, 1, 1 << 20, &h->patch_size) || !get_count(r, 1, INT32_MAX, &h->patch_count) ||
        !get_count(r, 1, h->patch_count, &h->train_count) ||
        !get_count(r, 0, h->patch_count, &h->validation_count) ||
        h->train_count + (long)h->validation_count != h->patch_count)
        return BAD("%s: corrupt training state (patch counts)", name);
    h->data_hash = get_u64(r);
    lf_kernel *k = &h->target;
    if (!get_count(r, 1, LF_KERNEL_MAX_SIDE, &k->height) ||
        !get_count(r, 1, LF_KERNEL_MAX_SIDE, &k->width))
        return BAD("%s: corrupt training state (kernel size)", name);
    h->layer = state_layer_of(&(lf_layer_options){0});
    /* One gray filter is always version 1: one state, one encoding. */
    if (version >= 2 && (!state_layer_get(r, &h->layer) || state_layer_plain(&h->layer)))
        return BAD("%s: corrupt training state (layer)", name);
    /* The bank's weights fill target's; with the biases they fit the
     * trainer's parameter block. */
    long weights = (long)h->layer.filters * h->layer.channels * k->height * k->width;
    if (weights > LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE ||
        weights + h->layer.filters > MAX_PARAMS)
        return BAD("%s: corrupt training state (layer of %ld weights)", name, weights);
    h->weight_count = (int)weights;
    h->param_count = h->weight_count + h->layer.filters;
    for (int i = 0; i < h->weight_count; i++) {
        k->weights[i] = get_f32(r);
        if (!isfinite(k->weights[i]))
            return BAD("%s: corrupt training state (kernel weight)", name);
    }
    int name_length;
    const unsigned char *text = NULL;
    if (get_count(r, 0, LF_KERNEL_NAME_MAX - 1, &name_length))
        text = take(r, (size_t)name_length);
    if (!text || memchr(text, 0, (size_t)name_length))
        return BAD("%s: corrupt training state (kernel name)", name);
    memcpy(k->name, text, (size_t)name_length);
    lf_train_settings *s = &h->settings;
    uint32_t optimizer = get_u32(r);
    s->optimizer = optimizer == LF_OPTIMIZER_ADAM ? LF_OPTIMIZER_ADAM : LF_OPTIMIZER_SGD;
    s->learning_rate = get_f32(r);
    s->momentum = get_f32(r);
    unsigned nesterov = get_u8(r);
    s->nesterov = nesterov != 0;
    s->beta1 = get_f32(r);
    s->beta2 = get_f32(r);
    s->epsilon = get_f32(r);
    uint32_t batch = get_u32(r);
    s->batch_size = batch > (uint32_t)h->train_count ? 0 : (int)batch;
    uint32_t padding = get_u32(r);
    h->padding = padding == LF_PADDING_VALID ? LF_PADDING_VALID : LF_PADDING_SAME;
    h->seed = get_u64(r);
    h->tolerance = get_f64(r);
    if (r->short_read || optimizer > LF_OPTIMIZER_ADAM || nesterov > 1 ||
        padding > LF_PADDING_VALID || !(h->tolerance > 0) || !isfinite(h->tolerance))
        return BAD("%s: corrupt training state (settings)", name);
    lf_error why;
    if (lf_settings_check(s, h->train_count, &why) != LF_OK)
        return BAD("%s: corrupt training state (%s)", name, why.message);
    if (!state_layer_plain(&h->layer) &&
        !state_layer_fits(&h->layer, k->height, k->width, h->padding, h->patch_size))
        return BAD("%s: corrupt training state (a layer that does not fit its patches)", name);
    return LF_OK;
}

static bool get_history(reader *r, lf_history *h)
{
    uint32_t count = get_u32(r), stride = get_u32(r), pending = get_u32(r);
    double sum = get_f64(r);
    if (r->short_read || count > LF_HISTORY_MAX || stride < 1 || stride > (1u << 30) ||
        pending >= stride)
        return false;
    if (h) {
        h->count = (int)count;
        h->stride = (int)stride;
        h->pending = (int)pending;
        h->pending_loss_sum = sum;
    }
    for (uint32_t i = 0; i < count; i++) {
        lf_history_point p;
        p.step = (long)get_u64(r);
        p.epoch = get_f32(r);
        p.train_loss = get_f32(r);
        p.val_loss = get_f32(r);
        p.rel_err = get_f32(r);
        if (h)
            h->points[i] = p;
    }
    return !r->short_read;
}

/* The rest of the body after the head. With t NULL it only checks; with a
 * trainer (already restarted with the head's options) it fills its state. */
static lf_status get_state(reader *r, const state_head *h, lf_trainer *t, const char *name,
                           lf_error *err)
{
    trainer_state *st = t ? &t->state : NULL;
    int params;
    if (!get_count(r, h->param_count, h->param_count, &params))
        return BAD("%s: corrupt training state (parameter count)", name);
    for (int i = 0; i < params; i++) {
        float x = get_f32(r);
        if (st)
            st->params[i] = x;
    }
    uint64_t step = get_u64(r);
    if (st)
        st->optimizer.step = (long)step;
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < params; i++) {
            float x = get_f32(r);
            if (st)
                (m == 0 ? st->optimizer.first : st->optimizer.second)[i] = x;
        }
    for (int i = 0; i < 4; i++) {
        uint64_t v = get_u64(r);
        if (st)
            st->order_rng.state[i] = v;
    }
    int cursor;
    if (!get_count(r, 0, h->train_count - 1, &cursor))
        return BAD("%s: corrupt training state (position in the epoch)", name);
    double epoch_sum = get_f64(r);
    if (r->short_read || (size_t)h->train_count > (r->size - r->at) / 4)
        return BAD("%s: truncated training state", name);
    /* The order must be a permutation of the training patches: it indexes
     * the data. */
    unsigned char *seen = calloc((size_t)h->train_count, 1);
    if (!seen)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory reading %s", name);
    bool permutation = true;
    for (int i = 0; i < h->train_count; i++) {
        uint32_t v = get_u32(r);
        if (v >= (uint32_t)h->train_count || seen[v]) {
            permutation = false;
            break;
        }
        seen[v] = 1;
        if (st)
            st->order[i] = (int)v;
    }
    free(seen);
    if (!permutation)
        return BAD("%s: corrupt training state (epoch order)", name);

    lf_figures f;
    f.step = (long)get_u64(r);
    f.epoch = (int)get_u32(r);
    f.step_in_epoch = (int)get_u32(r);
    f.steps_per_epoch = (int)get_u32(r);
    f.step_loss = get_f64(r);
    f.train_loss = get_f64(r);
    f.val_loss = get_f64(r);
    f.rel_err = get_f64(r);
    f.best_rel_err = get_f64(r);
    f.converged_step = (long)get_u64(r);
    unsigned converged = get_u8(r), diverged = get_u8(r);
    f.converged = converged != 0;
    f.diverged = diverged != 0;
    int b = h->settings.batch_size;
    if (r->short_read || f.step < 0 || f.epoch < 0 || f.step_in_epoch < 0 ||
        f.steps_per_epoch != (h->train_count + b - 1) / b || f.converged_step < -1 ||
        converged > 1 || diverged > 1)
        return BAD("%s: corrupt training state (figures)", name);
    if (!get_history(r, st ? &st->step_history : NULL) ||
        !get_history(r, st ? &st->epoch_history : NULL))
        return BAD("%s: corrupt training state (loss curves)", name);
    if (r->at != r->size)
        return BAD("%s: corrupt training state (%zu bytes too many)", name, r->size - r->at);
    if (st) {
        st->cursor = cursor;
        st->epoch_loss_sum = epoch_sum;
        st->figures = f;
    }
    return LF_OK;
}

/* Checks the header of bytes[0..size) and finds the body. */
static lf_status get_header(const unsigned char *bytes, size_t size, const char *name,
                            reader *body, uint32_t *version_out, lf_error *err)
{
    if (size < sizeof MAGIC || memcmp(bytes, MAGIC, sizeof MAGIC) != 0)
        return BAD("%s: not a learnfilter training state (no LFSTATE header)", name);
    reader r = {bytes, size, sizeof MAGIC, false};
    uint32_t version = get_u32(&r);
    uint32_t reserved = get_u32(&r);
    uint64_t body_size = get_u64(&r);
    uint64_t checksum = get_u64(&r);
    if (r.short_read)
        return BAD("%s: truncated training state (%zu bytes, shorter than its header)", name,
                   size);
    if (version < LF_STATE_VERSION_OLDEST || version > LF_STATE_VERSION)
        return BAD("%s: training state of format version %u; this learnfilter reads versions "
                   "%d %s %d",
                   name, (unsigned)version, LF_STATE_VERSION_OLDEST,
                   LF_STATE_VERSION == LF_STATE_VERSION_OLDEST + 1 ? "and" : "to",
                   LF_STATE_VERSION);
    if (reserved != 0)
        return BAD("%s: corrupt training state (header)", name);
    if (body_size != size - HEADER_BYTES)
        return BAD("%s: %s training state (%zu bytes of body, the header says %llu)", name,
                   body_size > size - HEADER_BYTES ? "truncated" : "corrupt",
                   size - HEADER_BYTES, (unsigned long long)body_size);
    if (fnv_bytes(bytes + HEADER_BYTES, (size_t)body_size) != checksum)
        return BAD("%s: corrupt training state (checksum mismatch)", name);
    *body = (reader){bytes + HEADER_BYTES, (size_t)body_size, 0, false};
    *version_out = version;
    return LF_OK;
}

lf_status state_check(const unsigned char *bytes, size_t size, const char *name,
                             lf_error *err)
{
    reader r;
    uint32_t version;
    state_head h;
    lf_status st = get_header(bytes, size, name, &r, &version, err);
    if (st == LF_OK)
        st = get_head(&r, version, &h, name, err);
    if (st == LF_OK)
        st = get_state(&r, &h, NULL, name, err);
    return st;
}

lf_status state_restore(lf_trainer *t, const unsigned char *bytes, size_t size, lf_error *err)
{
    const char *name = "training state";
    reader r;
    uint32_t version;
    state_head h;
    lf_status st = get_header(bytes, size, name, &r, &version, err);
    if (st == LF_OK)
        st = get_head(&r, version, &h, name, err);
    if (st != LF_OK)
        return st;
    const lf_dataset *ds = t->dataset;
    if (h.patch_size != ds->patch_size || h.patch_count != ds->patch_count ||
        h.train_count != ds->train_count)
        return BAD("the training state was taken on %d patches of %dx%d (%d for training); "
                   "this run has %d of %dx%d (%d): give the same --images, --size, "
                   "--downscale, --validation and --seed",
                   h.patch_count, h.patch_size, h.patch_size, h.train_count, ds->patch_count,
                   ds->patch_size, ds->patch_size, ds->train_count);
    /* A layer's buffers were sized for its shape when the trainer was
     * made: its state goes back only into the same layer. */
    if (!(t->plain && state_layer_plain(&h.layer))) {
        st = state_layer_match(t, &h.layer, h.target.height, h.target.width, h.padding, err);
        if (st != LF_OK)
            return st;
    }
    if (h.data_hash != trainer_dataset_hash(t))
        return BAD("the training state was taken on other images (same patch size and count, "
                   "different pixels): give the same --images, --seed and --noise");
    if (h.padding == LF_PADDING_VALID &&
        (h.target.height > ds->patch_size || h.target.width > ds->patch_size))
        return BAD("%s: corrupt training state (kernel larger than the patches)", name);
    /* From here on nothing can fail: the bytes were checked when set.
     * The targets and statistics stay when the true weights do (a rewind
     * to an earlier moment of the same run): rebuilding them would cost a
     * pass over the data for every state shown. */
    const lf_kernel *k = &t->options.target;
    bool same_target = k->height == h.target.height && k->width == h.target.width &&
                       t->options.padding == h.padding &&
                       memcmp(k->weights, h.target.weights,
                              sizeof(float) * (size_t)h.weight_count) == 0;
    t->options.target = h.target;
    t->options.settings = h.settings;
    t->options.padding = h.padding;
    t->options.seed = h.seed;
    t->options.tolerance = h.tolerance;
    if (!same_target)
        trainer_forget_caches(t);
    trainer_restart(t); /* shape, engine, the run's starting weights for its runaway bound */
    st = get_state(&r, &h, t, name, err);
    memcpy(t->saved, t->state.params, sizeof(float) * (size_t)t->param_count);
    return st;
}

/* The step and epoch of a held (so already checked) state: past the head,
 * the state's arrays have sizes the head gives, and the figures follow. */
bool state_figures(const unsigned char *bytes, size_t size, long *step, int *epoch)
{
    reader r;
    state_head h;
    uint32_t version;
    if (get_header(bytes, size, "", &r, &version, NULL) != LF_OK ||
        get_head(&r, version, &h, "", NULL) != LF_OK)
        return false;
    int params = h.param_count;
    /* parameters, step, two moments, generator, cursor, epoch sum, order */
    size_t skip = 4 + (size_t)params * 4 + 8 + 2 * (size_t)params * 4 + 32 + 4 + 8 +
                  (size_t)h.train_count * 4;
    if (!take(&r, skip))
        return false;
    *step = (long)get_u64(&r);
    *epoch = (int)get_u32(&r);
    return !r.short_read;
}
