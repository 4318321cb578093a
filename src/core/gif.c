/*
 * gif.c: animated GIF output through giflib, with a fixed palette.
 * See include/learnfilter/gif.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "learnfilter/gif.h"

#include <errno.h>
#include <gif_lib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/colormap.h"

/* ============================================================== palette */

/* Colours the window uses for state, kept exact so a recording marker or a
 * highlighted curve keeps its colour in a movie. */
static const uint8_t interface_colors[][3] = {
    {220, 40, 40},  /* recording red */
    {60, 170, 90},  /* converged green */
    {230, 160, 40}, /* amber */
    {70, 130, 220}, /* accent blue */
};

static void palette_add(lf_gif_palette *p, uint8_t r, uint8_t g, uint8_t b)
{
    if (p->count >= LF_GIF_COLORS)
        return;
    for (int i = 0; i < p->count; i++)
        if (p->rgb[i][0] == r && p->rgb[i][1] == g && p->rgb[i][2] == b)
            return;
    p->rgb[p->count][0] = r;
    p->rgb[p->count][1] = g;
    p->rgb[p->count][2] = b;
    p->count++;
}

/* 5-bit channel to 8 bits the usual way (0 -> 0, 31 -> 255), so pure black
 * and pure white find themselves. */
static int expand5(int c)
{
    return (c << 3) | (c >> 2);
}

/* For every 8-bit gray, the nearest palette grays at or below and at or
 * above it, and where it lies between them in sixteenths. Every entry with
 * equal channels counts, wherever it came from (white is a colormap sample). */
static void build_gray_table(lf_gif_palette *p)
{
    int index_of[256];
    for (int v = 0; v < 256; v++)
        index_of[v] = -1;
    for (int i = 0; i < p->count; i++)
        if (p->rgb[i][0] == p->rgb[i][1] && p->rgb[i][1] == p->rgb[i][2] &&
            index_of[p->rgb[i][0]] < 0)
            index_of[p->rgb[i][0]] = i;
    int below = -1;
    for (int v = 0; v < 256; v++) {
        if (index_of[v] >= 0)
            below = v;
        int above = -1;
        for (int u = v; u < 256 && above < 0; u++)
            if (index_of[u] >= 0)
                above = u;
        if (below < 0)
            below = above;
        if (above < 0)
            above = below;
        if (below < 0) { /* no gray at all: fall back to the table */
            p->gray_below[v] = p->gray_above[v] =
                p->lookup[(p->level[v] << 10) | (p->level[v] << 5) | p->level[v]];
            p->gray_mix[v] = 0;
            continue;
        }
        p->gray_below[v] = (uint8_t)index_of[below];
        p->gray_above[v] = (uint8_t)index_of[above];
        p->gray_mix[v] = above == below ? 0 : (uint8_t)((16 * (v - below) + (above - below) / 2) /
                                                        (above - below));
    }
}

void lf_gif_palette_build(lf_gif_palette *p, const uint8_t *samples, int sample_count)
{
    memset(p, 0, sizeof *p);
    if (sample_count < 0)
        sample_count = 0;
    if (sample_count > LF_GIF_MAX_SAMPLES)
        sample_count = LF_GIF_MAX_SAMPLES;
    /* The samples first and without removing duplicates, so sample i is
     * entry i and lf_gif_palette_sample can index them directly. */
    for (int i = 0; i < sample_count; i++) {
        memcpy(p->rgb[i], samples + 3 * i, 3);
    }
    p->count = p->samples = sample_count;
    for (size_t i = 0; i < sizeof interface_colors / sizeof interface_colors[0]; i++)
        palette_add(p, interface_colors[i][0], interface_colors[i][1], interface_colors[i][2]);
    /* A 3-level cube gives anything else (a user's colourful photo, say) a
     * colour of the right hue; its grays come with the ramp below. */
    for (int r = 0; r < 3; r++)
        for (int g = 0; g < 3; g++)
            for (int b = 0; b < 3; b++)
                if (!(r == g && g == b))
                    palette_add(p, (uint8_t)(r * 127 + (r > 1)), (uint8_t)(g * 127 + (g > 1)),
                                (uint8_t)(b * 127 + (b > 1)));
    /* Grays in every entry left: photographs, text and panels are gray. */
    int grays = LF_GIF_COLORS - p->count;
    for (int i = 0; i < grays; i++) {
        uint8_t v = (uint8_t)((i * 255 + (grays - 1) / 2) / (grays - 1));
        palette_add(p, v, v, v);
    }
    /* Rounding, not truncating, to 5 bits halves the worst error (to 4 of
     * 255) for a table lookup more per channel. */
    for (int v = 0; v < 256; v++)
        p->level[v] = (uint8_t)((v * 31 + 127) / 255);
    /* Nearest entry for the centre of every RGB-555 cell. The weights are
     * the usual rough perceptual ones (green counts most, blue least). */
    int pr[LF_GIF_COLORS], pg[LF_GIF_COLORS], pb[LF_GIF_COLORS];
    for (int i = 0; i < p->count; i++) {
        pr[i] = p->rgb[i][0];
        pg[i] = p->rgb[i][1];
        pb[i] = p->rgb[i][2];
    }
    for (int cell = 0; cell < 32 * 32 * 32; cell++) {
        int r = expand5(cell >> 10), g = expand5((cell >> 5) & 31), b = expand5(cell & 31);
        int best = 1 << 30, best_index = 0;
        for (int i = 0; i < p->count; i++) {
            int dr = r - pr[i], dg = g - pg[i], db = b - pb[i];
            int d = 3 * dr * dr + 4 * dg * dg + 2 * db * db; /* at most 585225 */
            if (d < best) {
                best = d;
                best_index = i;
            }
        }
        p->lookup[cell] = (uint8_t)best_index;
    }
    build_gray_table(p);
}

/* The heatmaps' diverging map on t in [-1, 1]: deep blue, white at zero,
 * deep red, linear between five anchors. */
static lf_gif_palette default_palette;
static pthread_once_t default_palette_once = PTHREAD_ONCE_INIT;

static void build_default_palette(void)
{
    uint8_t samples[LF_GIF_DEFAULT_SAMPLES * 3];
    for (int i = 0; i < LF_GIF_DEFAULT_SAMPLES; i++)
    {
        /* The same map the window and the movies draw with, so their
         * colours are in the palette exactly. */
        lf_rgb c = lf_colormap_diverging(-1.0f + 2.0f * (float)i / (LF_GIF_DEFAULT_SAMPLES - 1));
        samples[3 * i] = c.r;
        samples[3 * i + 1] = c.g;
        samples[3 * i + 2] = c.b;
    }
    lf_gif_palette_build(&default_palette, samples, LF_GIF_DEFAULT_SAMPLES);
}

const lf_gif_palette *lf_gif_palette_default(void)
{
    pthread_once(&default_palette_once, build_default_palette);
    return &default_palette;
}

void lf_gif_palette_sample(const lf_gif_palette *p, float u, uint8_t rgb[3])
{
    if (p->samples == 0) {
        rgb[0] = rgb[1] = rgb[2] = 0;
        return;
    }
    if (!(u >= 0))
        u = 0;
    if (u > 1)
        u = 1;
    int i = (int)(u * (float)(p->samples - 1) + 0.5f);
    memcpy(rgb, p->rgb[i], 3);
}

/* =============================================================== writer */

#define TRANSPARENT_INDEX LF_GIF_COLORS /* "same as the frame before" */

/* giflib's output function: everything goes to the temporary file. */
static int write_bytes(GifFileType *gif, const GifByteType *bytes, int count)
{
    lf_gif_writer *w = gif->UserData;
    errno = 0;
    size_t n = fwrite(bytes, 1, (size_t)count, w->file.stream);
    if (n != (size_t)count && !w->write_errno)
        w->write_errno = errno ? errno : EIO;
    w->bytes_written += (long)n;
    return (int)n;
}

static lf_status write_failed(lf_gif_writer *w, lf_error *err, const char *what)
{
    w->failed = LF_ERR_IO;
    if (w->write_errno)
        return lf_fail(err, LF_ERR_IO, "%s: cannot write %s: %s", w->file.final_path, what,
                       strerror(w->write_errno));
    return lf_fail(err, LF_ERR_IO, "%s: cannot write %s", w->file.final_path, what);
}

static void release(lf_gif_writer *w)
{
    if (w->gif) {
        int error;
        EGifCloseFile(w->gif, &error);
        w->gif = NULL;
    }
    free(w->current);
    free(w->previous);
    free(w->line);
    w->current = w->previous = w->line = NULL;
}

lf_status lf_gif_writer_open(lf_gif_writer *w, const char *path, const lf_gif_options *o,
                             lf_error *err)
{
    memset(w, 0, sizeof *w);
    if (o->width < 1 || o->height < 1 || o->width > LF_GIF_MAX_SIDE ||
        o->height > LF_GIF_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: frame size %dx%d is outside 1..%d", path,
                       o->width, o->height, LF_GIF_MAX_SIDE);
    if (o->delay_cs < 0 || o->delay_cs > 65535 || o->loop < -1 || o->loop > 65535)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: delay %d or loop count %d out of range", path,
                       o->delay_cs, o->loop);
    w->palette = o->palette ? o->palette : lf_gif_palette_default();
    w->width = o->width;
    w->height = o->height;
    w->delay_cs = o->delay_cs ? o->delay_cs : 10;
    size_t area = (size_t)o->width * (size_t)o->height;
    w->current = malloc(area);
    w->previous = malloc(area);
    w->line = malloc((size_t)o->width);
    if (!w->current || !w->previous || !w->line) {
        release(w);
        return lf_fail(err, LF_ERR_NOMEM, "%s: no memory for %dx%d frames", path, o->width,
                       o->height);
    }
    lf_status st = lf_atomic_open(&w->file, path, err);
    if (st != LF_OK) {
        release(w);
        return st;
    }

    int error = 0;
    GifFileType *gif = EGifOpen(w, write_bytes, &error);
    if (!gif) {
        release(w);
        lf_atomic_abandon(&w->file);
        return lf_fail(err, LF_ERR_NOMEM, "%s: cannot start the GIF encoder: %s", path,
                       GifErrorString(error));
    }
    w->gif = gif;
    EGifSetGifVersion(gif, true);

    GifColorType colors[256];
    memset(colors, 0, sizeof colors);
    for (int i = 0; i < w->palette->count; i++) {
        colors[i].Red = w->palette->rgb[i][0];
        colors[i].Green = w->palette->rgb[i][1];
        colors[i].Blue = w->palette->rgb[i][2];
    }
    ColorMapObject *map = GifMakeMapObject(256, colors);
    if (!map) {
        release(w);
        lf_atomic_abandon(&w->file);
        return lf_fail(err, LF_ERR_NOMEM, "%s: no memory for the palette", path);
    }
    int ok = EGifPutScreenDesc(gif, w->width, w->height, 8, 0, map) == GIF_OK;
    GifFreeMapObject(map);
    if (ok && o->loop >= 0) {
        /* The looping extension browsers honour: "NETSCAPE2.0", then a
         * sub-block of 1 and the repeat count, little-endian. */
        unsigned char params[3] = {1, (unsigned char)(o->loop & 0xff),
                                   (unsigned char)(o->loop >> 8)};
        ok = EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_OK &&
             EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_OK &&
             EGifPutExtensionBlock(gif, 3, params) == GIF_OK &&
             EGifPutExtensionTrailer(gif) == GIF_OK;
    }
    if (!ok) {
        st = write_failed(w, err, "the header");
        lf_gif_writer_abandon(w);
        return st;
    }
    return LF_OK;
}

/* The 4x4 ordered-dither thresholds (a Bayer matrix), in sixteenths. */
static const uint8_t dither_threshold[4][4] = {
    {0, 8, 2, 10},
    {12, 4, 14, 6},
    {3, 11, 1, 9},
    {15, 7, 13, 5},
};

/* Maps every pixel to its palette index: grays through the dithered gray
 * table, everything else through the lookup table. The pattern depends only
 * on the pixel's position, so an unchanged area gives unchanged indices. */
static void quantize(const lf_gif_writer *w, const uint8_t *pixels, int stride)
{
    const lf_gif_palette *p = w->palette;
    const uint8_t *lookup = p->lookup, *level = p->level;
    for (int y = 0; y < w->height; y++) {
        const uint8_t *src = pixels + (size_t)y * (size_t)stride;
        uint8_t *dst = w->current + (size_t)y * (size_t)w->width;
        const uint8_t *threshold = dither_threshold[y & 3];
        for (int x = 0; x < w->width; x++, src += 4) {
            uint8_t r = src[0], g = src[1], b = src[2];
            if (r == g && g == b)
                dst[x] = p->gray_mix[r] > threshold[x & 3] ? p->gray_above[r] : p->gray_below[r];
            else
                dst[x] = lookup[(level[r] << 10) | (level[g] << 5) | level[b]];
        }
    }
}

/* The smallest rectangle holding every pixel that changed since the last
 * frame; false when none did. */
static bool changed_rect(const lf_gif_writer *w, int *left, int *top, int *right, int *bottom)
{
    int x0 = w->width, y0 = -1, x1 = -1, y1 = -1;
    for (int y = 0; y < w->height; y++) {
        const uint8_t *a = w->current + (size_t)y * (size_t)w->width;
        const uint8_t *b = w->previous + (size_t)y * (size_t)w->width;
        if (!memcmp(a, b, (size_t)w->width))
            continue;
        if (y0 < 0)
            y0 = y;
        y1 = y;
        int x = 0;
        while (a[x] == b[x])
            x++;
        if (x < x0)
            x0 = x;
        x = w->width - 1;
        while (a[x] == b[x])
            x--;
        if (x > x1)
            x1 = x;
    }
    if (y0 < 0)
        return false;
    *left = x0;
    *top = y0;
    *right = x1;
    *bottom = y1;
    return true;
}

lf_status lf_gif_writer_add_rgba(lf_gif_writer *w, const void *pixels, int stride, int delay_cs,
                                 lf_error *err)
{
    if (w->failed != LF_OK || !w->gif)
        return lf_fail(err, LF_ERR_IO, "%s: the movie already failed", w->file.final_path);
    if (stride < w->width * 4)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: stride %d is shorter than a row of %d pixels",
                       w->file.final_path, stride, w->width);
    if (delay_cs <= 0)
        delay_cs = w->delay_cs;
    if (delay_cs > 65535)
        delay_cs = 65535;
    quantize(w, pixels, stride);

    int left = 0, top = 0, right = w->width - 1, bottom = w->height - 1;
    bool delta = w->frame_count > 0;
    if (delta && !changed_rect(w, &left, &top, &right, &bottom)) {
        /* Nothing changed, but the frame still takes its time: one
         * transparent pixel keeps the frame count and the timing honest. */
        left = right = top = bottom = 0;
    }
    int rect_w = right - left + 1, rect_h = bottom - top + 1;

    GraphicsControlBlock gcb = {
        .DisposalMode = DISPOSE_DO_NOT, /* later frames draw over this one */
        .UserInputFlag = false,
        .DelayTime = delay_cs,
        .TransparentColor = delta ? TRANSPARENT_INDEX : NO_TRANSPARENT_COLOR,
    };
    GifByteType extension[4];
    EGifGCBToExtension(&gcb, extension);
    GifFileType *gif = w->gif;
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, extension) != GIF_OK ||
        EGifPutImageDesc(gif, left, top, rect_w, rect_h, false, NULL) != GIF_OK)
        return write_failed(w, err, "a frame");
    for (int y = top; y <= bottom; y++) {
        const uint8_t *cur = w->current + (size_t)y * (size_t)w->width + left;
        const uint8_t *prev = w->previous + (size_t)y * (size_t)w->width + left;
        /* Unchanged pixels become transparent: long runs of one code
         * compress far better than the picture they let through. */
        for (int x = 0; x < rect_w; x++)
            w->line[x] = delta && cur[x] == prev[x] ? TRANSPARENT_INDEX : cur[x];
        if (EGifPutLine(gif, w->line, rect_w) != GIF_OK)
            return write_failed(w, err, "a frame");
    }
    uint8_t *t = w->previous;
    w->previous = w->current;
    w->current = t;
    w->frame_count++;
    return LF_OK;
}

lf_status lf_gif_writer_close(lf_gif_writer *w, lf_error *err)
{
    if (!w->gif) {
        lf_gif_writer_abandon(w);
        return lf_fail(err, LF_ERR_ARGUMENT, "the movie was not open");
    }
    if (w->failed != LF_OK) {
        lf_status st = lf_fail(err, w->failed, "%s: the movie failed and was not kept",
                               w->file.final_path);
        lf_gif_writer_abandon(w);
        return st;
    }
    if (w->frame_count == 0) {
        lf_status st = lf_fail(err, LF_ERR_ARGUMENT, "%s: no frames were recorded; nothing written",
                               w->file.final_path);
        lf_gif_writer_abandon(w);
        return st;
    }
    int error = 0;
    int closed = EGifCloseFile(w->gif, &error) == GIF_OK; /* writes the trailer, frees */
    w->gif = NULL;
    if (!closed || w->write_errno) {
        lf_status st = write_failed(w, err, "the end of the movie");
        lf_gif_writer_abandon(w);
        return st;
    }
    release(w);
    return lf_atomic_commit(&w->file, err);
}

void lf_gif_writer_abandon(lf_gif_writer *w)
{
    if (!w)
        return;
    release(w);
    lf_atomic_abandon(&w->file);
}
