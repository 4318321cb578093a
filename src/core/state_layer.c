/*
 * state_layer.c: the layer section of a training state, and the check that
 * a trainer's layer is the state's. See state_layer.h.
 */
#include "state_layer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "learnfilter/layer.h"
#include "trainer_internal.h"

state_layer state_layer_of(const lf_layer_options *l)
{
    return (state_layer){.channels = l->channels > 1 ? l->channels : 1,
                         .filters = l->filters > 1 ? l->filters : 1,
                         .stride = l->stride > 1 ? l->stride : 1,
                         .pool = l->pool > 1 ? l->pool : 1,
                         .activation = l->activation};
}

bool state_layer_plain(const state_layer *l)
{
    return l->channels == 1 && l->filters == 1 && l->stride == 1 && l->pool == 1 &&
           l->activation == LF_ACTIVATION_NONE;
}

void state_layer_put(writer *w, const state_layer *l)
{
    put_u32(w, (uint32_t)l->channels);
    put_u32(w, (uint32_t)l->filters);
    put_u32(w, (uint32_t)l->stride);
    put_u32(w, (uint32_t)l->pool);
    put_u32(w, (uint32_t)l->activation);
}

bool state_layer_get(reader *r, state_layer *l)
{
    int activation;
    bool ok = get_count(r, 1, LF_LAYER_MAX_CHANNELS, &l->channels) &&
              get_count(r, 1, LF_LAYER_MAX_FILTERS, &l->filters) &&
              get_count(r, 1, LF_LAYER_MAX_STRIDE, &l->stride) &&
              get_count(r, 1, LF_LAYER_MAX_POOL, &l->pool) &&
              get_count(r, LF_ACTIVATION_NONE, LF_ACTIVATION_TANH, &activation);
    l->activation = ok ? (lf_activation)activation : LF_ACTIVATION_NONE;
    return ok;
}

bool state_layer_fits(const state_layer *l, int kh, int kw, lf_padding padding, int patch_size)
{
    lf_layer_desc d = {.in_height = patch_size,
                       .in_width = patch_size,
                       .k_height = kh,
                       .k_width = kw,
                       .channels = l->channels,
                       .filters = l->filters,
                       .stride = l->stride,
                       .padding = padding,
                       .activation = l->activation,
                       .pool = l->pool};
    lf_layer_shape shape;
    return lf_layer_shape_make(&shape, &d, NULL) == LF_OK && shape.param_count <= MAX_PARAMS;
}

/* ========================================================== matching */

static const char *padding_name(lf_padding p) { return p == LF_PADDING_VALID ? "valid" : "same"; }

static const char *plural(int n) { return n == 1 ? "" : "s"; }

/* Appends to text[0..size) after what it holds; a message cut short is
 * still one line. */
static void add(char *text, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void add(char *text, size_t size, const char *format, ...)
{
    size_t used = strlen(text);
    if (used + 1 >= size)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(text + used, size - used, format, args);
    va_end(args);
}

/* One field of this run's layer that differs from the state's. */
static void add_difference(char *text, size_t size, int *count, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static void add_difference(char *text, size_t size, int *count, const char *format, ...)
{
    char item[64];
    va_list args;
    va_start(args, format);
    vsnprintf(item, sizeof item, format, args);
    va_end(args);
    add(text, size, "%s%s", *count ? ", " : "", item);
    (*count)++;
}

lf_status state_layer_match(const lf_trainer *t, const state_layer *l, int kh, int kw,
                            lf_padding padding, lf_error *err)
{
    const lf_trainer_options *o = &t->options;
    const state_layer run = state_layer_of(&o->layer);
    char differs[256] = "";
    int n = 0;
    if (run.filters != l->filters)
        add_difference(differs, sizeof differs, &n, "%d filter%s", run.filters,
                       plural(run.filters));
    if (run.channels != l->channels)
        add_difference(differs, sizeof differs, &n, "%d channel%s", run.channels,
                       plural(run.channels));
    if (o->target.height != kh || o->target.width != kw)
        add_difference(differs, sizeof differs, &n, "kernels of %dx%d", o->target.height,
                       o->target.width);
    if (run.stride != l->stride)
        add_difference(differs, sizeof differs, &n, "stride %d", run.stride);
    if (run.pool != l->pool) {
        if (run.pool > 1)
            add_difference(differs, sizeof differs, &n, "pool %d", run.pool);
        else
            add_difference(differs, sizeof differs, &n, "no pooling");
    }
    if (run.activation != l->activation)
        add_difference(differs, sizeof differs, &n, "activation %s",
                       lf_activation_name(run.activation));
    if (o->padding != padding)
        add_difference(differs, sizeof differs, &n, "padding %s", padding_name(o->padding));
    if (n == 0)
        return LF_OK;
    char pool[32];
    if (l->pool > 1)
        snprintf(pool, sizeof pool, "pool %d", l->pool);
    else
        snprintf(pool, sizeof pool, "no pooling");
    return lf_fail(err, LF_ERR_INPUT,
                   "the training state is of a layer of %d filter%s x %d channel%s of %dx%d, "
                   "stride %d, %s, activation %s, padding %s; this run's has %s: give the same "
                   "--kernel, --color, --stride, --pool, --activation and --padding",
                   l->filters, plural(l->filters), l->channels, plural(l->channels), kh, kw,
                   l->stride, pool, lf_activation_name(l->activation), padding_name(padding),
                   differs);
}
