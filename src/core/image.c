/*
 * image.c: loading PNG and JPEG as grayscale, and resampling.
 * See include/learnfilter/image.h.
 */
#include "learnfilter/image.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_util.h"

/* stb_image's entry points, compiled in stb_impl.c. Declared here instead of
 * including the header a second time. */
extern unsigned char *stbi_load_from_memory(const unsigned char *buffer, int len, int *x, int *y,
                                            int *channels_in_file, int desired_channels);
extern unsigned short *stbi_load_16_from_memory(const unsigned char *buffer, int len, int *x,
                                                int *y, int *channels_in_file,
                                                int desired_channels);
extern int stbi_is_16_bit_from_memory(const unsigned char *buffer, int len);
extern int stbi_info_from_memory(const unsigned char *buffer, int len, int *x, int *y, int *comp);
extern void stbi_image_free(void *retval_from_stbi_load);


lf_status lf_image_init(lf_image *img, int width, int height, lf_error *err)
{
    img->width = img->height = 0;
    img->pixels = NULL;
    if (width <= 0 || height <= 0 || width > LF_IMAGE_MAX_SIDE || height > LF_IMAGE_MAX_SIDE ||
        (long)width * height > LF_IMAGE_MAX_PIXELS)
        return lf_fail(err, LF_ERR_ARGUMENT, "image size %dx%d is outside 1..%d per side", width,
                       height, LF_IMAGE_MAX_SIDE);
    img->pixels = calloc((size_t)width * height, sizeof(float));
    if (!img->pixels)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for a %dx%d image", width, height);
    img->width = width;
    img->height = height;
    return LF_OK;
}

void lf_image_deinit(lf_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    img->pixels = NULL;
    img->width = img->height = 0;
}

void lf_gray_from_rgb8(float *gray, const unsigned char *pixels, int width, int height,
                       int channels)
{
    long n = (long)width * height;
    for (long i = 0; i < n; i++) {
        const unsigned char *p = pixels + i * channels;
        float y;
        if (channels >= 3)
            y = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
        else
            y = p[0];
        gray[i] = y * (1.0f / 255.0f);
    }
}

/* Grayscale from 16-bit gray (1 channel) or gray + alpha (2), as PNG's
 * 16-bit depth stores them, at full precision: a 16-bit kernel image holds
 * steps of 1/65535 that 8 bits would round to 1/255. */
static void gray_from_gray16(float *gray, const unsigned short *pixels, int width, int height,
                             int channels)
{
    long n = (long)width * height;
    for (long i = 0; i < n; i++)
        gray[i] = (float)(pixels[i * channels] / 65535.0);
}

static int has_magic(const unsigned char *b, size_t n, const char *magic, size_t m)
{
    return n >= m && memcmp(b, magic, m) == 0;
}

/* ------------------------------------------------------------- headers */

static unsigned long be16(const unsigned char *b) { return (unsigned long)b[0] << 8 | b[1]; }
static unsigned long be32(const unsigned char *b) { return be16(b) << 16 | be16(b + 2); }

/* The size a PNG declares. Its first chunk must be IHDR (PNG specification,
 * section 5.6), width and height as 32-bit big-endian numbers, so a file
 * claiming 4 billion pixels a side is read without overflow. Returns 0 when
 * the header is cut short or not there. */
static int png_header_size(const unsigned char *b, size_t n, unsigned long *w, unsigned long *h)
{
    if (n < 8 + 8 + 13 || memcmp(b + 12, "IHDR", 4) != 0)
        return 0;
    *w = be32(b + 16);
    *h = be32(b + 20);
    return 1;
}

/* Walks a PNG's chunks up to IEND and returns NULL when the decoder may be
 * given the file, or why not. stb_image 2.27 grows its buffer to an IDAT
 * chunk's declared length before reading it, so a 200-byte file declaring
 * a 2 GiB chunk made it allocate 2 GiB (found by fuzzing): every chunk must
 * fit in the bytes there are. It also adds an offset to its still-NULL
 * buffer for an empty first IDAT, which is undefined behaviour; encoders
 * never write one, so such a file is refused too. */
static const char *png_chunks_problem(const unsigned char *b, size_t n)
{
    size_t p = 8; /* after the signature */
    int seen_data = 0;
    /* The decoder acts on a chunk once its length and type are read, so
     * a chunk counts from 8 bytes on; its CRC may be cut off. */
    while (p + 8 <= n) {
        unsigned long length = be32(b + p);
        if (length > n - p - 8)
            return "a chunk runs past the end of the file";
        if (memcmp(b + p + 4, "IDAT", 4) == 0) {
            if (length == 0 && !seen_data)
                return "an empty first IDAT chunk";
            seen_data = 1;
        }
        if (memcmp(b + p + 4, "IEND", 4) == 0)
            break;
        p += 12 + length;
    }
    return NULL;
}

/* What a walk through a JPEG's segments found. */
enum jpeg_walk {
    JPEG_NO_SIZE = 0,   /* no frame header before the data ran out or a scan began */
    JPEG_OK = 1,        /* the size is known and every Huffman table is sound */
    JPEG_BAD_HUFFMAN,   /* a table defines more than 256 codes */
    JPEG_UNDEFINED_TABLE, /* a scan uses a Huffman table no DHT defined */
};

static unsigned byte_at(const unsigned char *b, size_t n, size_t i) { return i < n ? b[i] : 0; }

/* Checks a DHT segment's tables the way stb_image 2.27 reads them: it
 * trusts the 16 code counts and writes that many entries into 257-entry
 * arrays, so counts summing past 256 overflow them (found by fuzzing).
 * Like the decoder, it reads on past the segment's end if the counts say
 * so, and sees zeros past the file's end. Other faults (a bad table class,
 * counts that disagree with the length) the decoder refuses by itself
 * before any harm, so only the overflow is looked for. length is the
 * segment's, counting its own two bytes. */
static int jpeg_huffman_tables_ok(const unsigned char *b, size_t n, size_t at, size_t length,
                                  unsigned *defined)
{
    long remaining = (long)length - 2;
    size_t p = at + 2;
    while (remaining > 0 && p < n) {
        unsigned q = byte_at(b, n, p);
        if (q >> 4 > 1 || (q & 15) > 3)
            return 1; /* the decoder stops here, refusing the file */
        unsigned codes = 0;
        for (int i = 1; i <= 16; i++)
            codes += byte_at(b, n, p + i);
        if (codes > 256)
            return 0;
        *defined |= 1u << ((q >> 4) * 4 + (q & 15)); /* DC tables 0-3, AC 4-7 */
        p += 17 + codes;
        remaining -= 17 + (long)codes;
    }
    return 1;
}

/* Walks a JPEG's marker segments, and the entropy-coded data of its scans,
 * to the end-of-image marker or the end of the bytes. Reads the size from
 * the first frame header (SOFn) and checks every Huffman table (DHT),
 * including those a progressive file puts between its scans. Bytes that
 * are not a marker where one is due are skipped, as decoders do. */
static enum jpeg_walk jpeg_walk_segments(const unsigned char *b, size_t n, unsigned long *w,
                                         unsigned long *h)
{
    int have_size = 0, progressive = 0;
    unsigned defined = 0; /* Huffman tables defined so far, as in jpeg_huffman_tables_ok */
    size_t i = 2; /* after SOI */
    while (i + 1 < n) {
        if (b[i] != 0xff) {
            i++;
            continue;
        }
        unsigned char marker = b[i + 1];
        if (marker == 0xff) { /* fill byte before a marker */
            i++;
            continue;
        }
        i += 2;
        if (marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
            continue; /* no length follows */
        if (marker == 0xd9) /* end of image */
            break;
        if (n - i < 2)
            break;
        size_t length = be16(b + i);
        if (length < 2)
            break;
        if (marker == 0xc4 && !jpeg_huffman_tables_ok(b, n, i, length, &defined))
            return JPEG_BAD_HUFFMAN;
        if (marker == 0xc2)
            progressive = 1;
        /* stb_image 2.27 mallocs its tables without clearing them, so a
         * scan that uses a table no DHT defined decodes with whatever the
         * memory held: symbol indices from garbage (found by fuzzing; it
         * showed only after other inputs had dirtied the heap). Which
         * tables a scan uses: baseline both; progressive, the DC table in
         * a first DC scan and the AC table in an AC scan. */
        if (marker == 0xda && have_size) {
            unsigned count = byte_at(b, n, i + 2);
            size_t tail = i + 3 + 2 * (size_t)count; /* Ss, Se, Ah|Al */
            unsigned first = byte_at(b, n, tail), approx_high = byte_at(b, n, tail + 2) >> 4;
            for (unsigned c = 0; c < count && c < 4; c++) {
                unsigned sel = byte_at(b, n, i + 4 + 2 * (size_t)c);
                unsigned dc = sel >> 4, ac = sel & 15;
                if (dc > 3 || ac > 3)
                    break; /* the decoder refuses these itself */
                int needs_dc = !progressive || (first == 0 && approx_high == 0);
                int needs_ac = !progressive || first != 0;
                if ((needs_dc && !(defined & 1u << dc)) || (needs_ac && !(defined & 1u << (4 + ac))))
                    return JPEG_UNDEFINED_TABLE;
            }
        }
        /* SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC) in that range */
        if (!have_size && marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 &&
            marker != 0xc8 && marker != 0xcc && length >= 7 && length <= n - i) {
            *h = be16(b + i + 3);
            *w = be16(b + i + 5);
            have_size = 1;
        }
        if (marker == 0xda && !have_size)
            return JPEG_NO_SIZE; /* a scan before any frame header */
        if (length > n - i)
            break;
        i += length;
        if (marker == 0xda) {
            /* Entropy-coded data runs to the next marker: 0xff followed by
             * anything but a stuffed zero or a restart marker. */
            while (i + 1 < n && !(b[i] == 0xff && b[i + 1] != 0x00 && b[i + 1] != 0xff &&
                                  !(b[i + 1] >= 0xd0 && b[i + 1] <= 0xd7)))
                i++;
        }
    }
    return have_size ? JPEG_OK : JPEG_NO_SIZE;
}

/* The most pixels a complete file of the given size can hold. A JPEG spends
 * at least one bit on every 8x8 block (the Huffman code of its DC term), so
 * 512 pixels per byte; a PNG at most 8 one-bit pixels per byte inflated, and
 * deflate never compresses more than 1032:1. A file claiming more is
 * truncated or built to make us allocate: 615 bytes of JPEG can claim
 * 8000x8000 pixels, which the decoder fills with grey rather than refuse. */
static unsigned long max_pixels_for_bytes(int is_png, size_t size)
{
    unsigned long per_byte = is_png ? 8UL * 1032 : 512;
    unsigned long slack = 64UL * 64; /* headers of tiny files */
    if (size > (ULONG_MAX - slack) / per_byte)
        return ULONG_MAX;
    return (unsigned long)size * per_byte + slack;
}

lf_status lf_image_peek(const unsigned char *bytes, size_t size, const char *name, int *width,
                        int *height, lf_error *err)
{
    *width = *height = 0;
    if (size == 0)
        return lf_fail(err, LF_ERR_INPUT, "%s: file is empty", name);
    /* Name the format we found, so "photo.png" that is really a GIF gets a
     * message that says so rather than a decoder's guess. */
    int is_png = has_magic(bytes, size, "\x89PNG\r\n\x1a\n", 8);
    int is_jpeg = has_magic(bytes, size, "\xff\xd8\xff", 3);
    if (!is_png && !is_jpeg) {
        const char *what = "not a PNG or JPEG image";
        if (has_magic(bytes, size, "GIF8", 4))
            what = "a GIF image; only PNG and JPEG are accepted";
        else if (has_magic(bytes, size, "BM", 2))
            what = "a BMP image; only PNG and JPEG are accepted";
        else if (has_magic(bytes, size, "RIFF", 4))
            what = "a RIFF (WebP?) file; only PNG and JPEG are accepted";
        return lf_fail(err, LF_ERR_INPUT, "%s: %s", name, what);
    }
    const char *format = is_png ? "PNG" : "JPEG";
    if (size > (size_t)LF_IMAGE_MAX_FILE_BYTES)
        return lf_fail(err, LF_ERR_INPUT, "%s: file is larger than %ld MiB", name,
                       LF_IMAGE_MAX_FILE_BYTES >> 20);
    /* Read the size ourselves rather than through the decoder, which refuses
     * a side above its limit with "too large" and no figures. */
    unsigned long hw = 0, hh = 0;
    int found;
    if (is_png) {
        found = png_header_size(bytes, size, &hw, &hh);
    } else {
        enum jpeg_walk walk = jpeg_walk_segments(bytes, size, &hw, &hh);
        if (walk == JPEG_BAD_HUFFMAN)
            return lf_fail(err, LF_ERR_INPUT, "%s: corrupt JPEG (a bad Huffman table)", name);
        if (walk == JPEG_UNDEFINED_TABLE)
            return lf_fail(err, LF_ERR_INPUT,
                           "%s: corrupt JPEG (a scan uses a Huffman table that is not defined)",
                           name);
        found = walk == JPEG_OK;
    }
    if (!found)
        return lf_fail(err, LF_ERR_INPUT, "%s: truncated or corrupt %s header (no image size)",
                       name, format);
    if (hw == 0 || hh == 0 || hw > LF_IMAGE_MAX_SIDE || hh > LF_IMAGE_MAX_SIDE ||
        hw * hh > (unsigned long)LF_IMAGE_MAX_PIXELS)
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: %s header says %lux%lu pixels; the limit is %d per side and %ld in all",
                       name, format, hw, hh, LF_IMAGE_MAX_SIDE, (long)LF_IMAGE_MAX_PIXELS);
    if (hw * hh > max_pixels_for_bytes(is_png, size))
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: %s header says %lux%lu pixels but the file has only %zu bytes: "
                       "truncated or corrupt",
                       name, format, hw, hh, size);
    const char *problem = is_png ? png_chunks_problem(bytes, size) : NULL;
    if (problem)
        return lf_fail(err, LF_ERR_INPUT, "%s: corrupt or truncated PNG (%s)", name, problem);
    *width = (int)hw;
    *height = (int)hh;
    return LF_OK;
}

/* Colour planes from interleaved 8-bit pixels: plane c takes channel c
 * (gray and gray + alpha give equal planes). */
static void planes_from_rgb8(lf_image *planes, const unsigned char *pixels, int channels)
{
    long n = (long)planes[0].width * planes[0].height;
    for (int c = 0; c < 3; c++) {
        int from = channels >= 3 ? c : 0;
        for (long i = 0; i < n; i++)
            planes[c].pixels[i] = pixels[i * channels + from] * (1.0f / 255.0f);
    }
}

/* Decodes into plane_count images: 1 for grayscale, 3 for R, G, B. */
static lf_status decode_planes(lf_image *out, int plane_count, const unsigned char *bytes,
                               size_t size, const char *name, lf_error *err)
{
    for (int c = 0; c < plane_count; c++) {
        out[c].width = out[c].height = 0;
        out[c].pixels = NULL;
    }
    int w = 0, h = 0, channels = 0;
    lf_status st = lf_image_peek(bytes, size, name, &w, &h, err);
    if (st != LF_OK)
        return st;
    const char *format = bytes[0] == 0x89 ? "PNG" : "JPEG";
    /* 16-bit grayscale keeps its precision (a kernel image's steps of
     * 1/65535). Its decoded buffer, at most 4 bytes a pixel, is no larger
     * than 8-bit RGBA's; 16-bit colour, which would double that at the size
     * limit, is read at 8 bits like any photograph. */
    int file_channels = 0, info_w, info_h;
    int deep = plane_count == 1 && stbi_is_16_bit_from_memory(bytes, (int)size) &&
               stbi_info_from_memory(bytes, (int)size, &info_w, &info_h, &file_channels) &&
               file_channels <= 2;
    void *pixels = deep ? (void *)stbi_load_16_from_memory(bytes, (int)size, &w, &h, &channels, 0)
                        : (void *)stbi_load_from_memory(bytes, (int)size, &w, &h, &channels, 0);
    /* The decoder's own reason is not given: it is a global that an earlier
     * failed probe can leave behind ("bad png sig" for a JPEG). */
    if (!pixels)
        return lf_fail(err, LF_ERR_INPUT, "%s: corrupt or truncated %s data", name, format);
    for (int c = 0; c < plane_count && st == LF_OK; c++)
        st = lf_image_init(&out[c], w, h, err);
    if (st == LF_OK && deep)
        gray_from_gray16(out->pixels, pixels, w, h, channels);
    else if (st == LF_OK && plane_count == 3)
        planes_from_rgb8(out, pixels, channels);
    else if (st == LF_OK)
        lf_gray_from_rgb8(out->pixels, pixels, w, h, channels);
    else if (st == LF_ERR_ARGUMENT) /* beyond the limits after all */
        st = lf_fail(err, LF_ERR_INPUT, "%s: %s decodes to %dx%d pixels, beyond the limits",
                     name, format, w, h);
    if (st != LF_OK)
        for (int c = 0; c < plane_count; c++)
            lf_image_deinit(&out[c]);
    stbi_image_free(pixels);
    return st;
}

lf_status lf_image_decode(lf_image *out, const unsigned char *bytes, size_t size, const char *name,
                          lf_error *err)
{
    return decode_planes(out, 1, bytes, size, name, err);
}

static lf_status load_planes(lf_image *out, int plane_count, const char *path, lf_error *err)
{
    for (int c = 0; c < plane_count; c++) {
        out[c].width = out[c].height = 0;
        out[c].pixels = NULL;
    }
    unsigned char *bytes = NULL;
    size_t size = 0;
    lf_status st = lf_read_file(path, LF_IMAGE_MAX_FILE_BYTES, &bytes, &size, err);
    if (st != LF_OK)
        return st;
    st = decode_planes(out, plane_count, bytes, size, path, err);
    free(bytes);
    return st;
}

lf_status lf_image_load(lf_image *out, const char *path, lf_error *err)
{
    return load_planes(out, 1, path, err);
}

lf_status lf_image_load_planes(lf_image *planes, int plane_count, const char *path, lf_error *err)
{
    if (plane_count != 1 && plane_count != 3)
        return lf_fail(err, LF_ERR_ARGUMENT, "an image has 1 or 3 planes, not %d", plane_count);
    return load_planes(planes, plane_count, path, err);
}

int lf_image_path_is_supported(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return 0;
    char ext[8] = {0};
    for (int i = 0; i < 7 && dot[i + 1]; i++)
        ext[i] = (char)tolower((unsigned char)dot[i + 1]);
    if (strlen(dot + 1) > 4)
        return 0;
    return strcmp(ext, "png") == 0 || strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0;
}

/* ---------------------------------------------------------------- resize */

/* One output sample of a 1-D resampling: a run of source samples and their
 * weights (which sum to 1). */
typedef struct resample_tap {
    int first;
    int count;
    int offset; /* into the shared weight array */
} resample_tap;

typedef struct resample_plan {
    resample_tap *taps;
    float *weights;
} resample_plan;

/* Builds the taps for resampling n_in samples to n_out. Shrinking uses the
 * overlap of each output cell with the input cells (an area filter);
 * enlarging interpolates linearly between pixel centres. */
static int resample_plan_make(resample_plan *plan, int n_in, int n_out)
{
    double scale = (double)n_in / n_out;
    int max_taps = scale > 1.0 ? (int)scale + 3 : 2;
    plan->taps = malloc(sizeof(resample_tap) * (size_t)n_out);
    plan->weights = malloc(sizeof(float) * (size_t)n_out * max_taps);
    if (!plan->taps || !plan->weights) {
        free(plan->taps);
        free(plan->weights);
        return -1;
    }
    for (int o = 0; o < n_out; o++) {
        resample_tap *t = &plan->taps[o];
        float *w = plan->weights + (size_t)o * max_taps;
        t->offset = o * max_taps;
        if (scale > 1.0) {
            double x0 = o * scale, x1 = (o + 1) * scale;
            int first = (int)x0, last = (int)x1;
            if (last >= n_in)
                last = n_in - 1;
            t->first = first;
            t->count = 0;
            for (int i = first; i <= last; i++) {
                double lo = i > x0 ? i : x0, hi = i + 1 < x1 ? i + 1 : x1;
                if (hi > lo)
                    w[t->count++] = (float)((hi - lo) / scale);
                else if (t->count == 0)
                    t->first++;
            }
        } else {
            double x = (o + 0.5) * scale - 0.5;
            if (x < 0)
                x = 0;
            int i = (int)x;
            if (i >= n_in - 1) {
                t->first = n_in - 1;
                t->count = 1;
                w[0] = 1.0f;
            } else {
                float f = (float)(x - i);
                t->first = i;
                t->count = 2;
                w[0] = 1.0f - f;
                w[1] = f;
            }
        }
    }
    return 0;
}

static void resample_plan_free(resample_plan *plan)
{
    free(plan->taps);
    free(plan->weights);
}

lf_status lf_image_resize(lf_image *out, const lf_image *in, int out_width, int out_height,
                          lf_error *err)
{
    lf_status st = lf_image_init(out, out_width, out_height, err);
    if (st != LF_OK)
        return st;
    lf_image tmp; /* horizontal pass: in->height x out_width */
    st = lf_image_init(&tmp, out_width, in->height, err);
    if (st != LF_OK) {
        lf_image_deinit(out);
        return st;
    }
    resample_plan px, py;
    if (resample_plan_make(&px, in->width, out_width) != 0) {
        lf_image_deinit(&tmp);
        lf_image_deinit(out);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory while resizing");
    }
    if (resample_plan_make(&py, in->height, out_height) != 0) {
        resample_plan_free(&px);
        lf_image_deinit(&tmp);
        lf_image_deinit(out);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory while resizing");
    }
    for (int y = 0; y < in->height; y++) {
        const float *src = in->pixels + (long)y * in->width;
        float *dst = tmp.pixels + (long)y * out_width;
        for (int x = 0; x < out_width; x++) {
            const resample_tap *t = &px.taps[x];
            const float *w = px.weights + t->offset;
            float acc = 0;
            for (int k = 0; k < t->count; k++)
                acc += w[k] * src[t->first + k];
            dst[x] = acc;
        }
    }
    for (int y = 0; y < out_height; y++) {
        const resample_tap *t = &py.taps[y];
        const float *w = py.weights + t->offset;
        float *dst = out->pixels + (long)y * out_width;
        for (int k = 0; k < t->count; k++) {
            const float *src = tmp.pixels + (long)(t->first + k) * out_width;
            for (int x = 0; x < out_width; x++)
                dst[x] += w[k] * src[x];
        }
    }
    resample_plan_free(&px);
    resample_plan_free(&py);
    lf_image_deinit(&tmp);
    return LF_OK;
}
