/*
 * state_bytes.h: the little-endian primitives the training state's bytes
 * are made of, shared by the files that encode and decode its sections
 * (state_format.c, state_layer.c). Floats go by their bits, so a value
 * read back is the value written, NaN payloads included.
 *
 * A writer with bytes NULL only counts, which is how a state's size is
 * found before allocating; a reader that runs past its end yields zeros
 * and sets short_read, so a decoder checks once at the end of a section.
 */
#ifndef LEARNFILTER_STATE_BYTES_H
#define LEARNFILTER_STATE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FNV_START 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static inline uint64_t fnv_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = FNV_START;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

/* Appends to bytes[0..capacity); with bytes NULL it only counts, which is
 * how the size is found before allocating. */
typedef struct writer {
    unsigned char *bytes;
    size_t size;
} writer;

static inline void put(writer *w, const void *p, size_t n)
{
    if (w->bytes)
        memcpy(w->bytes + w->size, p, n);
    w->size += n;
}

static inline void put_u64(writer *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put(w, b, 8);
}

static inline void put_u32(writer *w, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put(w, b, 4);
}

static inline void put_u8(writer *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put(w, &b, 1);
}

static inline void put_f32(writer *w, float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    put_u32(w, bits);
}

static inline void put_f64(writer *w, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    put_u64(w, bits);
}

/* Reads from bytes[0..size); running past the end sets short_read and
 * yields zeros, so a decoder checks once at the end of a section. */
typedef struct reader {
    const unsigned char *bytes;
    size_t size, at;
    bool short_read;
} reader;

static inline const unsigned char *take(reader *r, size_t n)
{
    if (r->short_read || n > r->size - r->at) {
        r->short_read = true;
        return NULL;
    }
    const unsigned char *p = r->bytes + r->at;
    r->at += n;
    return p;
}

static inline uint64_t get_u64(reader *r)
{
    const unsigned char *p = take(r, 8);
    uint64_t v = 0;
    for (int i = 0; p && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline uint32_t get_u32(reader *r)
{
    const unsigned char *p = take(r, 4);
    uint32_t v = 0;
    for (int i = 0; p && i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline unsigned get_u8(reader *r)
{
    const unsigned char *p = take(r, 1);
    return p ? *p : 0;
}

static inline float get_f32(reader *r)
{
    uint32_t bits = get_u32(r);
    float x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static inline double get_f64(reader *r)
{
    uint64_t bits = get_u64(r);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* A u32 that must lie in [lo, hi]. */
static inline bool get_count(reader *r, int lo, int hi, int *out)
{
    uint32_t v = get_u32(r);
    *out = (int)v;
    return !r->short_read && v >= (uint32_t)lo && v <= (uint32_t)hi;
}

#endif
