/*
 * test_state_util.h: what the tests of saved training states share: a
 * trainer's state saved (failing the test with the library's message when
 * it refuses), two states compared byte for byte, a state's format
 * version, the header's checksum rewritten after a test edits the body,
 * a state file read and restored, and the rewind ring's use (back to a
 * saved moment, twice, each replay ending where the first pass did).
 * Static, as in test_util.h.
 */
#ifndef LEARNFILTER_TEST_STATE_UTIL_H
#define LEARNFILTER_TEST_STATE_UTIL_H

#include "test_trainer_util.h"

#include "learnfilter/state.h"

static inline lf_state *ts_save(lf_trainer *t)
{
    lf_state *s = lf_state_create();
    assert_non_null(s);
    lf_error err;
    if (lf_trainer_save_state(t, s, &err) != LF_OK)
        fail_msg("%s", err.message);
    return s;
}

static inline void ts_assert_same(const lf_state *a, const lf_state *b)
{
    size_t na, nb;
    const void *pa = lf_state_bytes(a, &na), *pb = lf_state_bytes(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
}

/* The format version in the header (bytes 8..11, little-endian). */
static inline unsigned ts_version(const lf_state *s)
{
    size_t n;
    const unsigned char *b = lf_state_bytes(s, &n);
    assert_true(n > 12);
    return b[8] | (unsigned)b[9] << 8 | (unsigned)b[10] << 16 | (unsigned)b[11] << 24;
}

/* Rewrites the header's checksum (FNV-1a of the body from byte 32, at
 * bytes 24..31) after an edit of the body. */
static inline void ts_reseal(unsigned char *bytes, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 32; i < size; i++)
        h = (h ^ bytes[i]) * 0x100000001b3ull;
    for (int i = 0; i < 8; i++)
        bytes[24 + i] = (unsigned char)(h >> (8 * i));
}

/* Reads the state file at path and restores t from it; the state read
 * must be at `step` and `epoch`, and so must t then be. what names the
 * case in a failure. Returns the state read (the caller destroys it). */
static inline lf_state *ts_read_restore(lf_trainer *t, const char *path, long step, long epoch,
                                        const char *what)
{
    lf_state *read = lf_state_create();
    assert_non_null(read);
    lf_error err;
    if (lf_state_read(read, path, &err) != LF_OK)
        fail_msg("%s: %s", what, err.message);
    assert_int_equal(lf_state_step(read), step);
    assert_int_equal(lf_state_epoch(read), epoch);
    if (lf_trainer_restore_state(t, read, &err) != LF_OK)
        fail_msg("%s: %s", what, err.message);
    assert_int_equal(lf_trainer_figures(t)->step, step);
    return read;
}

/* The rewind ring's use: t trains `first` steps and a moment is saved,
 * `steps` more and the end is saved; then back to the moment twice, each
 * time at its step with its state saved again, and `steps` more end in the
 * end's state. */
static inline void ts_assert_replays(lf_trainer *t, int first, int steps)
{
    tt_trainer_steps(t, first);
    lf_state *mark = ts_save(t);
    tt_trainer_steps(t, steps);
    lf_state *end = ts_save(t);
    lf_error err;
    for (int replay = 0; replay < 2; replay++) {
        if (lf_trainer_restore_state(t, mark, &err) != LF_OK)
            fail_msg("replay %d: %s", replay, err.message);
        assert_int_equal(lf_trainer_figures(t)->step, lf_state_step(mark));
        lf_state *again = ts_save(t);
        ts_assert_same(again, mark);
        lf_state_destroy(again);
        tt_trainer_steps(t, steps);
        lf_state *replayed = ts_save(t);
        ts_assert_same(replayed, end);
        lf_state_destroy(replayed);
    }
    lf_state_destroy(mark);
    lf_state_destroy(end);
}

#endif
