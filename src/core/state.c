/*
 * state.c: a training state held in memory, and its files. See
 * include/learnfilter/state.h. The bytes' layout, the checks and the
 * decoding are in state_format.c.
 */
#include "learnfilter/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_util.h"
#include "learnfilter/export.h"
#include "state_format.h"

struct lf_state {
    unsigned char *bytes; /* header and body; NULL when empty */
    size_t size;
    size_t capacity;
};

static bool reserve(lf_state *s, size_t size)
{
    if (size <= s->capacity)
        return true;
    unsigned char *bytes = realloc(s->bytes, size);
    if (!bytes)
        return false;
    s->bytes = bytes;
    s->capacity = size;
    return true;
}

lf_status lf_trainer_save_state(lf_trainer *t, lf_state *s, lf_error *err)
{
    size_t size = state_encoded_size(t);
    if (!reserve(s, size))
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for a training state of %zu bytes",
                       size);
    state_encode(t, s->bytes);
    s->size = size;
    return LF_OK;
}

lf_status lf_state_set_bytes(lf_state *s, const void *bytes, size_t size, const char *name,
                             lf_error *err)
{
    s->size = 0;
    if (!name)
        name = "training state";
    lf_status st = state_check(bytes, size, name, err);
    if (st != LF_OK)
        return st;
    if (!reserve(s, size))
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for %s", name);
    memcpy(s->bytes, bytes, size);
    s->size = size;
    return LF_OK;
}

lf_status lf_trainer_restore_state(lf_trainer *t, const lf_state *s, lf_error *err)
{
    if (!s->size)
        return lf_fail(err, LF_ERR_ARGUMENT, "the training state is empty");
    return state_restore(t, s->bytes, s->size, err);
}

/* ========================================================= the rest */

lf_state *lf_state_create(void) { return calloc(1, sizeof(lf_state)); }

void lf_state_destroy(lf_state *s)
{
    if (!s)
        return;
    free(s->bytes);
    free(s);
}

const void *lf_state_bytes(const lf_state *s, size_t *size)
{
    *size = s->size;
    return s->bytes;
}

long lf_state_step(const lf_state *s)
{
    long step = 0;
    int epoch = 0;
    return (s->size && state_figures(s->bytes, s->size, &step, &epoch)) ? step : 0;
}

int lf_state_epoch(const lf_state *s)
{
    long step = 0;
    int epoch = 0;
    return (s->size && state_figures(s->bytes, s->size, &step, &epoch)) ? epoch : 0;
}

lf_status lf_state_write(const lf_state *s, const char *path, lf_error *err)
{
    if (!s->size)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: no training state to write", path);
    lf_atomic_file file;
    lf_status st = lf_atomic_open(&file, path, err);
    if (st != LF_OK)
        return st;
    if (fwrite(s->bytes, 1, s->size, file.stream) != s->size) {
        lf_atomic_abandon(&file);
        return lf_fail(err, LF_ERR_IO, "%s: write failed", path);
    }
    return lf_atomic_commit(&file, err);
}

lf_status lf_state_read(lf_state *s, const char *path, lf_error *err)
{
    unsigned char *bytes;
    size_t size;
    s->size = 0;
    lf_status st = lf_read_file(path, LF_STATE_MAX_BYTES, &bytes, &size, err);
    if (st != LF_OK)
        return st;
    st = lf_state_set_bytes(s, bytes, size, path, err);
    free(bytes);
    return st;
}
