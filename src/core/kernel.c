/*
 * kernel.c: the built-in kernel catalog and the kernel file parsers.
 * See include/learnfilter/kernel.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "learnfilter/kernel.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_util.h"
#include "kernel_npy.h"
#include "learnfilter/image.h"
#include "learnfilter/names.h"
#include "learnfilter/rng.h"

/* Kernel files are small; anything bigger is not one. */
#define LF_KERNEL_MAX_FILE_BYTES (4L * 1024 * 1024)

/* ============================================================== catalog */

static void kernel_set(lf_kernel *k, const char *name, int height, int width, const float *values)
{
    memset(k, 0, sizeof *k);
    k->height = height;
    k->width = width;
    snprintf(k->name, sizeof k->name, "%s", name);
    if (values)
        memcpy(k->weights, values, sizeof(float) * (size_t)height * width);
}

static void make_3x3(lf_kernel *k, const char *name, const float v[9]) { kernel_set(k, name, 3, 3, v); }

static void scale_to_unit_sum(lf_kernel *k)
{
    double sum = 0;
    int n = k->height * k->width;
    for (int i = 0; i < n; i++)
        sum += k->weights[i];
    for (int i = 0; i < n; i++)
        k->weights[i] = (float)(k->weights[i] / sum);
}

/* The outer product of two sampled Gaussian windows, as
 * scipy.signal.windows.gaussian(size, std) samples them (centre (size-1)/2),
 * scaled to sum to 1 so the filter keeps the image's brightness. */
static void make_gaussian(lf_kernel *k, const char *name, int size, double sigma)
{
    kernel_set(k, name, size, size, NULL);
    double centre = (size - 1) / 2.0;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            double dy = (y - centre) / sigma, dx = (x - centre) / sigma;
            k->weights[y * size + x] = (float)exp(-0.5 * (dx * dx + dy * dy));
        }
    scale_to_unit_sum(k);
}

/* The 32x32 smiley line drawing of the original experiment: for each row,
 * inclusive column ranges of the line pixels (288 of them). Each line pixel
 * is 1/sqrt(288), so the kernel has unit L2 norm. */
static const struct { signed char row, first, last; } smiley_runs[] = {
    {1, 11, 20},  {2, 9, 22},   {3, 7, 10},   {3, 21, 24},  {4, 6, 8},    {4, 23, 25},
    {5, 5, 7},    {5, 24, 26},  {6, 4, 6},    {6, 25, 27},  {7, 3, 5},    {7, 26, 28},
    {8, 3, 4},    {8, 27, 28},  {9, 2, 3},    {9, 10, 10},  {9, 21, 21},  {9, 28, 29},
    {10, 2, 3},   {10, 8, 11},  {10, 20, 23}, {10, 28, 29}, {11, 1, 2},   {11, 7, 12},
    {11, 19, 24}, {11, 29, 30}, {12, 1, 2},   {12, 7, 12},  {12, 19, 24}, {12, 29, 30},
    {13, 1, 2},   {13, 8, 12},  {13, 19, 23}, {13, 29, 30}, {14, 1, 2},   {14, 8, 11},
    {14, 20, 23}, {14, 29, 30}, {15, 1, 2},   {15, 29, 30}, {16, 1, 2},   {16, 29, 30},
    {17, 1, 2},   {17, 29, 30}, {18, 1, 2},   {18, 7, 7},   {18, 24, 24}, {18, 29, 30},
    {19, 1, 2},   {19, 7, 8},   {19, 23, 24}, {19, 29, 30}, {20, 1, 2},   {20, 7, 9},
    {20, 22, 24}, {20, 29, 30}, {21, 2, 3},   {21, 8, 11},  {21, 20, 23}, {21, 28, 29},
    {22, 2, 3},   {22, 9, 22},  {22, 28, 29}, {23, 3, 4},   {23, 10, 21}, {23, 27, 28},
    {24, 3, 5},   {24, 11, 20}, {24, 26, 28}, {25, 4, 6},   {25, 14, 17}, {25, 25, 27},
    {26, 5, 7},   {26, 24, 26}, {27, 6, 8},   {27, 23, 25}, {28, 7, 10},  {28, 21, 24},
    {29, 9, 22},  {30, 11, 20},
};

static void make_smiley(lf_kernel *k)
{
    kernel_set(k, "smiley", 32, 32, NULL);
    int count = 0;
    for (size_t r = 0; r < sizeof smiley_runs / sizeof smiley_runs[0]; r++)
        for (int x = smiley_runs[r].first; x <= smiley_runs[r].last; x++) {
            k->weights[smiley_runs[r].row * 32 + x] = 1.0f;
            count++;
        }
    float value = (float)(1.0 / sqrt((double)count));
    for (int i = 0; i < 32 * 32; i++)
        k->weights[i] *= value;
}

/* scipy.signal.windows.hann(size), symmetric, scaled to sum to 1. */
static void make_hann(lf_kernel *k, int size)
{
    kernel_set(k, "hann", 1, size, NULL);
    for (int x = 0; x < size; x++)
        k->weights[x] = (float)(0.5 - 0.5 * cos(2.0 * 3.141592653589793 * x / (size - 1)));
    scale_to_unit_sum(k);
}

static void make_box(lf_kernel *k, const char *name, int size)
{
    kernel_set(k, name, size, size, NULL);
    for (int i = 0; i < size * size; i++)
        k->weights[i] = 1.0f / (float)(size * size);
}

/* The last column is the steps `learnfilter --headless --kernel NAME --tol
 * 0.01` takes on the bundled photographs with the kernel's default settings
 * and seed 1 (converged_step in its JSON line); the window paces itself by
 * it. 0: not reached in minutes. Remeasure when the data, the defaults or
 * the trainer change. */
static const lf_kernel_info catalog[] = {
    {"sobel-x", "Sobel x: horizontal gradient, responds to vertical edges (3x3)", 30695},
    {"sobel-y", "Sobel y: vertical gradient, responds to horizontal edges (3x3)", 30450},
    {"smiley", "a 32x32 smiley line drawing, unit L2 norm (the original's big kernel)", 389109},
    {"laplacian", "Laplacian: 8 in the centre, -1 around; finds blobs and fine detail (3x3)",
     46582},
    {"gaussian", "Gaussian blur, sigma 2 (13x13, sums to 1)", 96069},
    {"edge-x", "vertical edge detector [-1 0 1] in every row (Prewitt x, 3x3)", 33272},
    {"edge-y", "horizontal edge detector [1 1 1; 0 0 0; -1 -1 -1] (Prewitt y, 3x3)",
     33309},
    {"compass-ne", "Kirsch compass kernel pointing north-east [-3 5 5; -3 0 5; -3 -3 -3] (3x3)",
     37660},
    {"line", "vertical line detector [-1 2 -1] in every row (3x3)", 31430},
    {"compass-se", "Kirsch compass kernel pointing south-east [-3 -3 -3; -3 0 5; -3 5 5] (3x3)",
     35189},
    {"box3", "3x3 mean filter", 56033},
    {"box7", "7x7 mean filter", 83342},
    {"gaussian-50", "Gaussian blur, sigma 10, as the outer product of two 50-tap windows (50x50)",
     0 /* still at 2000% error after 44,672 steps (150 s): trained as fast as possible */},
    {"identity", "passes the image through: 1 in the centre (3x3)", 32423},
    {"hann", "50-tap Hann window, a horizontal smoothing (1x50, sums to 1)", 18597},
    {"random", "random weights uniform on [-1, 1] from the seed (5x5)", 58762},
};

#define CATALOG_COUNT ((int)(sizeof catalog / sizeof catalog[0]))

int lf_kernel_catalog_count(void) { return CATALOG_COUNT; }

const lf_kernel_info *lf_kernel_catalog_get(int index)
{
    return index >= 0 && index < CATALOG_COUNT ? &catalog[index] : NULL;
}

int lf_kernel_catalog_find(const char *name)
{
    for (int i = 0; i < CATALOG_COUNT; i++)
        if (lf_name_distance(catalog[i].name, name) == 0)
            return i;
    return -1;
}

const char *lf_kernel_catalog_closest(const char *name)
{
    const char *names[CATALOG_COUNT];
    for (int i = 0; i < CATALOG_COUNT; i++)
        names[i] = catalog[i].name;
    return lf_name_closest(name, names, CATALOG_COUNT);
}

long lf_kernel_expected_steps(const char *name)
{
    int i = lf_kernel_catalog_find(name);
    return i >= 0 ? catalog[i].expected_steps : LF_KERNEL_EXPECTED_STEPS_UNKNOWN;
}

/* ", did you mean sobel-x?" after a near miss, else nothing. */
static const char *did_you_mean(const char *name, char *out, size_t size)
{
    const char *guess = lf_kernel_catalog_closest(name);
    if (guess)
        snprintf(out, size, "; did you mean %s?", guess);
    else
        out[0] = 0;
    return out;
}

lf_status lf_kernel_from_name(lf_kernel *out, const char *name, uint64_t seed, lf_error *err)
{
    static const float sobel_x[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    static const float sobel_y[9] = {-1, -2, -1, 0, 0, 0, 1, 2, 1};
    static const float laplacian[9] = {-1, -1, -1, -1, 8, -1, -1, -1, -1};
    static const float edge_x[9] = {-1, 0, 1, -1, 0, 1, -1, 0, 1};
    static const float edge_y[9] = {1, 1, 1, 0, 0, 0, -1, -1, -1};
    /* Kirsch's compass kernels are named by the direction of the 5s. */
    static const float compass_ne[9] = {-3, 5, 5, -3, 0, 5, -3, -3, -3};
    static const float compass_se[9] = {-3, -3, -3, -3, 0, 5, -3, 5, 5};
    static const float line[9] = {-1, 2, -1, -1, 2, -1, -1, 2, -1};
    static const float identity[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0};

    int index = lf_kernel_catalog_find(name);
    if (index < 0) {
        char hint[LF_KERNEL_NAME_MAX + 32];
        return lf_fail(err, LF_ERR_INPUT, "%s: not a built-in kernel (see --list-kernels)%s",
                       name, did_you_mean(name, hint, sizeof hint));
    }
    name = catalog[index].name; /* the catalog's spelling, whatever case was typed */
    if (!strcmp(name, "sobel-x")) make_3x3(out, name, sobel_x);
    else if (!strcmp(name, "sobel-y")) make_3x3(out, name, sobel_y);
    else if (!strcmp(name, "smiley")) make_smiley(out);
    else if (!strcmp(name, "laplacian")) make_3x3(out, name, laplacian);
    else if (!strcmp(name, "gaussian")) make_gaussian(out, name, 13, 2.0);
    else if (!strcmp(name, "edge-x")) make_3x3(out, name, edge_x);
    else if (!strcmp(name, "edge-y")) make_3x3(out, name, edge_y);
    else if (!strcmp(name, "compass-ne")) make_3x3(out, name, compass_ne);
    else if (!strcmp(name, "line")) make_3x3(out, name, line);
    else if (!strcmp(name, "compass-se")) make_3x3(out, name, compass_se);
    else if (!strcmp(name, "box3")) make_box(out, name, 3);
    else if (!strcmp(name, "box7")) make_box(out, name, 7);
    else if (!strcmp(name, "gaussian-50")) make_gaussian(out, name, 50, 10.0);
    else if (!strcmp(name, "identity")) make_3x3(out, name, identity);
    else if (!strcmp(name, "hann")) make_hann(out, 50);
    else if (!strcmp(name, "random")) {
        lf_rng rng;
        lf_rng_seed(&rng, seed ^ 0x6b65726e656cull); /* not the weights' stream */
        kernel_set(out, name, 5, 5, NULL);
        for (int i = 0; i < 25; i++)
            out->weights[i] = (float)(2.0 * lf_rng_uniform(&rng) - 1.0);
    }
    return LF_OK;
}

/* ============================================================ utilities */

double lf_kernel_norm(const lf_kernel *k)
{
    double s = 0;
    for (int i = 0; i < k->height * k->width; i++)
        s += (double)k->weights[i] * k->weights[i];
    return sqrt(s);
}

float lf_kernel_max_abs(const lf_kernel *k)
{
    float m = 0;
    for (int i = 0; i < k->height * k->width; i++)
        m = fmaxf(m, fabsf(k->weights[i]));
    return m;
}

double lf_relative_error(const float *a, const float *b, int count)
{
    double diff = 0, ref = 0;
    for (int i = 0; i < count; i++) {
        double d = (double)a[i] - b[i];
        diff += d * d;
        ref += (double)b[i] * b[i];
    }
    return ref > 0 ? sqrt(diff / ref) : sqrt(diff);
}

double lf_kernel_relative_error(const lf_kernel *a, const lf_kernel *b)
{
    return lf_relative_error(a->weights, b->weights, b->height * b->width);
}

static void set_name_from_path(lf_kernel *k, const char *name)
{
    snprintf(k->name, sizeof k->name, "%s", lf_path_basename(name));
}

static lf_status check_finite(const lf_kernel *k, const char *name, lf_error *err)
{
    for (int i = 0; i < k->height * k->width; i++)
        if (!isfinite(k->weights[i]))
            return lf_fail(err, LF_ERR_INPUT, "%s: weight at row %d, column %d is not finite",
                           name, i / k->width + 1, i % k->width + 1);
    return LF_OK;
}

/* What a kernel file may be, for messages that refuse one. */
#define LF_KERNEL_ACCEPTED "a kernel is a text matrix, a NumPy .npy array or a grayscale PNG"

/* Names a binary format from its first bytes ("a JPEG image"), or NULL when
 * it is none of those known. Kernels come by hand, so a photo, a compressed
 * NumPy archive or a document passed by mistake should be named as what it
 * is rather than read as text. PNG and .npy are not listed: they are
 * kernels. */
static const char *binary_format(const unsigned char *b, size_t n)
{
    static const struct { const char *magic; size_t length; const char *what; } formats[] = {
        {"\xff\xd8\xff", 3, "a JPEG image"},
        {"GIF87a", 6, "a GIF image"},
        {"GIF89a", 6, "a GIF image"},
        {"II*\0", 4, "a TIFF image"},
        {"MM\0*", 4, "a TIFF image"},
        {"\0\0\0\x0cjP  ", 8, "a JPEG 2000 image"},
        {"%PDF-", 5, "a PDF document"},
        {"PK\x03\x04", 4, "a ZIP archive (a NumPy .npz?)"},
        {"\x1f\x8b", 2, "a gzip file"},
        {"\x7f" "ELF", 4, "a program (ELF)"},
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (n >= formats[i].length && memcmp(b, formats[i].magic, formats[i].length) == 0)
            return formats[i].what;
    if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "a WebP image";
    /* "BM" alone could start a text line; a BMP's reserved bytes are zero. */
    if (n >= 14 && memcmp(b, "BM", 2) == 0 && !b[6] && !b[7] && !b[8] && !b[9])
        return "a BMP image";
    return NULL;
}

static int has_png_magic(const unsigned char *b, size_t n)
{
    return n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static int has_npy_magic(const unsigned char *b, size_t n)
{
    return n >= 6 && memcmp(b, "\x93NUMPY", 6) == 0;
}

/* ================================================================= text */

static int is_separator(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '[' || c == ']' || c == '\r';
}

lf_status lf_kernel_parse_text(lf_kernel *out, const char *text, size_t size, const char *name,
                               lf_error *err)
{
    memset(out, 0, sizeof *out);
    int rows = 0, width = 0;
    size_t pos = 0;
    /* Editors on some systems start a UTF-8 file with a byte order mark. */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    int line_number = 0;
    while (pos < size) {
        size_t end = pos;
        while (end < size && text[end] != '\n')
            end++;
        line_number++;
        int cols = 0;
        size_t i = pos;
        /* A '#' starts a comment, wherever it stands. */
        size_t stop = pos;
        while (stop < end && text[stop] != '#')
            stop++;
        while (i < stop) {
            while (i < stop && is_separator(text[i]))
                i++;
            if (i >= stop)
                break;
            /* strtod needs a terminated string: copy the token. */
            char token[64];
            size_t t = 0;
            while (i < stop && !is_separator(text[i])) {
                /* strtod would stop at a NUL and take "1\0junk" for 1. */
                if (text[i] == '\0')
                    return lf_fail(err, LF_ERR_INPUT,
                                   "%s: line %d: a NUL byte, so a binary file; %s", name,
                                   line_number, LF_KERNEL_ACCEPTED);
                if (t + 1 >= sizeof token)
                    return lf_fail(err, LF_ERR_INPUT, "%s: line %d: number too long", name,
                                   line_number);
                token[t++] = text[i++];
            }
            token[t] = 0;
            char *after = NULL;
            double v = strtod(token, &after);
            if (after == token || *after != 0)
                return lf_fail(err, LF_ERR_INPUT, "%s: line %d: '%s' is not a number", name,
                               line_number, token);
            if (!isfinite(v) || fabs(v) > 3.0e38)
                return lf_fail(err, LF_ERR_INPUT, "%s: line %d: '%s' is not a finite number",
                               name, line_number, token);
            if (rows >= LF_KERNEL_MAX_SIDE || cols >= LF_KERNEL_MAX_SIDE)
                return lf_fail(err, LF_ERR_INPUT, "%s: kernel is larger than %dx%d", name,
                               LF_KERNEL_MAX_SIDE, LF_KERNEL_MAX_SIDE);
            out->weights[rows * LF_KERNEL_MAX_SIDE + cols] = (float)v;
            cols++;
        }
        if (cols > 0) {
            if (rows == 0)
                width = cols;
            else if (cols != width)
                return lf_fail(err, LF_ERR_INPUT,
                               "%s: line %d has %d numbers but the first row has %d", name,
                               line_number, cols, width);
            rows++;
        }
        pos = end + 1;
    }
    if (rows == 0)
        return lf_fail(err, LF_ERR_INPUT, "%s: no numbers found", name);
    /* Rows were stored at the maximum stride; pack them. */
    for (int r = 1; r < rows; r++)
        memmove(out->weights + r * width, out->weights + r * LF_KERNEL_MAX_SIDE,
                sizeof(float) * (size_t)width);
    memset(out->weights + rows * width, 0,
           sizeof(float) * (size_t)(LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE - rows * width));
    out->height = rows;
    out->width = width;
    set_name_from_path(out, name);
    return LF_OK;
}

/* ================================================================== npy */

lf_status lf_kernel_parse_npy(lf_kernel *out, const unsigned char *bytes, size_t size,
                              const char *name, lf_error *err)
{
    memset(out, 0, sizeof *out);
    long dims[LF_NPY_MAX_DIMS];
    int ndim = 0;
    lf_status st = lf_npy_read_f32(out->weights, sizeof out->weights / sizeof out->weights[0],
                                   dims, &ndim, 2, 2, bytes, size, name, err);
    if (st != LF_OK)
        return st;
    out->height = (int)dims[0];
    out->width = (int)dims[1];
    set_name_from_path(out, name);
    return check_finite(out, name, err);
}

/* ================================================================== png */

lf_status lf_kernel_parse_png(lf_kernel *out, const unsigned char *bytes, size_t size,
                              const char *name, lf_error *err)
{
    memset(out, 0, sizeof *out);
    /* The image decoder also takes JPEG, whose lossy blocks are no kernel. */
    if (size > 0 && !has_png_magic(bytes, size)) {
        const char *what = binary_format(bytes, size);
        return lf_fail(err, LF_ERR_INPUT, "%s: %s; %s", name, what ? what : "not a PNG image",
                       LF_KERNEL_ACCEPTED);
    }
    /* The size from the header first: a 4 MiB kernel file may claim tens of
     * millions of pixels, which need not be decoded to be refused. */
    int width, height;
    lf_status st = lf_image_peek(bytes, size, name, &width, &height, err);
    if (st != LF_OK)
        return st;
    if (width > LF_KERNEL_MAX_SIDE || height > LF_KERNEL_MAX_SIDE)
        return lf_fail(err, LF_ERR_INPUT, "%s: kernel image is %dx%d; the largest accepted is %dx%d",
                       name, width, height, LF_KERNEL_MAX_SIDE, LF_KERNEL_MAX_SIDE);
    lf_image img;
    st = lf_image_decode(&img, bytes, size, name, err);
    if (st != LF_OK)
        return st;
    out->height = img.height;
    out->width = img.width;
    memcpy(out->weights, img.pixels, sizeof(float) * (size_t)img.width * img.height);
    lf_image_deinit(&img);
    double norm = lf_kernel_norm(out);
    if (norm == 0)
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: image is all black, so it cannot be scaled to unit L2 norm", name);
    for (int i = 0; i < out->height * out->width; i++)
        out->weights[i] = (float)(out->weights[i] / norm);
    set_name_from_path(out, name);
    return LF_OK;
}

/* ================================================================ files */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)s[n - m + i]) != suffix[i])
            return 0;
    return 1;
}

lf_status lf_kernel_load(lf_kernel *out, const char *path, lf_error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char *bytes;
    size_t size;
    lf_status st = lf_read_file(path, LF_KERNEL_MAX_FILE_BYTES, &bytes, &size, err);
    if (st != LF_OK)
        return st;
    /* The contents decide before the name does: a PNG saved as k.txt is
     * still a PNG, and a photo renamed k.png is still a photo. */
    const char *binary = binary_format(bytes, size);
    if (binary)
        st = lf_fail(err, LF_ERR_INPUT, "%s: %s; %s", path, binary, LF_KERNEL_ACCEPTED);
    else if (has_npy_magic(bytes, size) || ends_with(path, ".npy"))
        st = lf_kernel_parse_npy(out, bytes, size, path, err);
    else if (has_png_magic(bytes, size) || ends_with(path, ".png"))
        st = lf_kernel_parse_png(out, bytes, size, path, err);
    else
        st = lf_kernel_parse_text(out, (const char *)bytes, size, path, err);
    free(bytes);
    return st;
}

lf_status lf_kernel_resolve(lf_kernel *out, const char *spec, uint64_t seed, lf_error *err)
{
    if (lf_kernel_catalog_find(spec) >= 0)
        return lf_kernel_from_name(out, spec, seed, err);
    /* Neither a name nor a file: a mistyped name is the likelier slip, so
     * say both rather than only "no such file". */
    struct stat info;
    if (stat(spec, &info) != 0 && errno == ENOENT) {
        memset(out, 0, sizeof *out);
        char hint[LF_KERNEL_NAME_MAX + 32];
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: not a built-in kernel (see --list-kernels) and no such file%s", spec,
                       did_you_mean(spec, hint, sizeof hint));
    }
    return lf_kernel_load(out, spec, err);
}
