/*
 * apply.c: --apply, one sliding-window operation on one image, no training.
 *
 *   learnfilter --apply median:3 --images photo.jpg --output smooth.png
 *   learnfilter --apply sum:plus --images grid.txt              (prints the grid)
 *   learnfilter --apply max:plus --images grid-a                (the slides' grid A)
 *
 * The input is a photograph (PNG or JPEG, as grayscale intensities on
 * [0, 1]) or a numbers file (a text matrix or a 2-D .npy, used as the
 * values they hold, so the slides' grids can be given as they are). The
 * operation is a kernel (a catalog name or a kernel file), KIND:N /
 * KIND:plus (ops.h), or abs:K / gradient:K (target.h), with --repeat,
 * --stride and --padding. The result goes
 * to --output: .npy (float32, shape (H, W)), .txt (a text matrix that
 * --kernel and --images read back), or .png (drawn as the window draws a
 * result); without --output it is printed as a text matrix.
 */
#define _POSIX_C_SOURCE 200809L
#include "apply.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "learnfilter/colormap.h"
#include "learnfilter/export.h"
#include "learnfilter/image.h"
#include "learnfilter/kernel.h"
#include "learnfilter/lens.h"
#include "learnfilter/ops.h"
#include "learnfilter/png.h"
#include "output_check.h"
#include "learnfilter/target.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The input as values: a photograph's intensities, or a numbers file's
 * numbers. The caller frees *values. */
static lf_status load_input(const char *path, float **values, int *height, int *width,
                            lf_error *err)
{
    /* The slides' grids by name (grid-a, ...), unless a file has that name. */
    const lf_grid *builtin = lf_grid_find(path);
    if (builtin && access(path, F_OK) != 0) {
        size_t n = (size_t)builtin->height * (size_t)builtin->width;
        *values = malloc(sizeof(float) * n);
        if (!*values)
            return lf_fail(err, LF_ERR_NOMEM, "%s: no memory", path);
        memcpy(*values, builtin->values, sizeof(float) * n);
        *height = builtin->height;
        *width = builtin->width;
        return LF_OK;
    }
    if (lf_image_path_is_supported(path)) {
        lf_image image;
        lf_status st = lf_image_load(&image, path, err);
        if (st != LF_OK)
            return st;
        *values = image.pixels;
        *height = image.height;
        *width = image.width;
        return LF_OK;
    }
    lf_kernel *grid = malloc(sizeof *grid);
    if (!grid)
        return lf_fail(err, LF_ERR_NOMEM, "%s: no memory", path);
    lf_status st = lf_kernel_load(grid, path, err);
    if (st == LF_OK) {
        size_t n = (size_t)grid->height * (size_t)grid->width;
        *values = malloc(sizeof(float) * n);
        if (*values) {
            memcpy(*values, grid->weights, sizeof(float) * n);
            *height = grid->height;
            *width = grid->width;
        } else {
            st = lf_fail(err, LF_ERR_NOMEM, "%s: no memory", path);
        }
    }
    free(grid);
    return st;
}

/* The operation from --apply and its options. Its kernel, if it has one,
 * is loaded into *target, which must outlive op. */
static lf_status resolve_op(const cli_options *o, lf_op *op, lf_target *target, lf_error *err)
{
    lf_error parse_err;
    lf_status st = lf_target_parse(target, o->apply, o->seed, &parse_err);
    if (st != LF_OK) {
        /* A kernel's own messages name it; an operation's need the option. */
        if (strchr(o->apply, ':'))
            return lf_fail(err, st, "--apply: %s", parse_err.message);
        return lf_fail(err, st, "%s", parse_err.message);
    }
    *op = lf_target_op(target);
    op->repeat = o->repeat;
    op->stride = o->stride;
    op->padding = o->padding;
    return lf_op_validate(op, err);
}

/* One row per line, values separated by spaces, shortest exact form. */
static int print_matrix(FILE *f, const float *v, int h, int w)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (fprintf(f, "%.9g%c", (double)v[(size_t)y * (size_t)w + (size_t)x],
                        x + 1 < w ? ' ' : '\n') < 0)
                return -1;
    return 0;
}

static lf_status write_text(const char *path, const float *v, int h, int w, lf_error *err)
{
    lf_atomic_file file;
    lf_status st = lf_atomic_open(&file, path, err);
    if (st != LF_OK)
        return st;
    errno = 0;
    if (print_matrix(file.stream, v, h, w) != 0) {
        int e = errno ? errno : EIO;
        lf_atomic_abandon(&file);
        return lf_fail(err, LF_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return lf_atomic_commit(&file, err);
}

/* The colour of value v as the window shows a result: on the diverging
 * scale (white at zero, +-limit) when anything is negative, otherwise gray
 * from black at 0 to white at limit. */
void apply_color(float v, float limit, bool is_signed, uint8_t rgb[3])
{
    lf_rgb c = is_signed ? lf_colormap_diverging(v / limit) : lf_colormap_gray(v / limit);
    rgb[0] = c.r;
    rgb[1] = c.g;
    rgb[2] = c.b;
}

void apply_scale(const float *v, size_t n, float *limit, bool *is_signed)
{
    float lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    *is_signed = lo < 0;
    if (*is_signed)
        *limit = -lo > hi ? -lo : hi;
    else
        *limit = hi > 1 ? hi : 1; /* intensities keep their [0, 1] scale */
}

static lf_status write_png(const char *path, const float *v, int h, int w, lf_error *err)
{
    size_t n = (size_t)h * (size_t)w;
    uint8_t *rgba = malloc(4 * n);
    if (!rgba)
        return lf_fail(err, LF_ERR_NOMEM, "%s: no memory for a %dx%d image", path, w, h);
    float limit;
    bool is_signed;
    apply_scale(v, n, &limit, &is_signed);
    for (size_t i = 0; i < n; i++) {
        apply_color(v[i], limit, is_signed, rgba + 4 * i);
        rgba[4 * i + 3] = 255;
    }
    lf_status st = lf_png_write_rgba(path, rgba, w, h, 4 * w, err);
    free(rgba);
    return st;
}

int apply_run(const cli_options *o)
{
    lf_error err;
    lf_error_clear(&err);
    if (o->image_count != 1) {
        fprintf(stderr, "learnfilter: --apply takes one input: --images FILE (a photo, a text "
                        "matrix or a .npy)\n");
        return EXIT_USAGE;
    }
    /* An output that names the input (or a folder, a link, ...) is refused
     * before anything is read. */
    lf_status checked = output_check(o, &err);
    if (checked != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return checked == LF_ERR_ARGUMENT ? EXIT_USAGE : EXIT_INPUT;
    }
    lf_op op;
    lf_target *target = malloc(sizeof *target);
    if (!target) {
        fprintf(stderr, "learnfilter: no memory\n");
        return EXIT_INPUT;
    }
    lf_status st = resolve_op(o, &op, target, &err);
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        free(target);
        return st == LF_ERR_ARGUMENT ? EXIT_USAGE : EXIT_INPUT;
    }
    float *in = NULL, *out = NULL;
    int in_h = 0, in_w = 0, out_h = 0, out_w = 0;
    int code = EXIT_OK;
    st = load_input(o->images[0], &in, &in_h, &in_w, &err);
    if (st == LF_OK) {
        int h, w;
        lf_op_output_size(&op, in_h, in_w, &h, &w);
        size_t capacity = (size_t)h * (size_t)w;
        out = malloc(sizeof(float) * (capacity ? capacity : 1));
        if (!out)
            st = lf_fail(&err, LF_ERR_NOMEM, "no memory for the %dx%d result", h, w);
        else
            st = lf_op_apply(&op, in, in_h, in_w, out, capacity, &out_h, &out_w, &err);
        if (st == LF_ERR_ARGUMENT)
            code = EXIT_USAGE; /* the window does not fit: the options, not the file */
    }
    if (st == LF_OK) {
        const char *path = o->apply_output;
        if (!path) {
            if (print_matrix(stdout, out, out_h, out_w) != 0 || fflush(stdout) != 0)
                st = lf_fail(&err, LF_ERR_IO, "standard output: write failed");
        } else if (ends_with(path, ".npy")) {
            size_t shape[2] = {(size_t)out_h, (size_t)out_w};
            st = lf_npy_write_f32(path, out, shape, 2, &err);
        } else if (ends_with(path, ".txt")) {
            st = write_text(path, out, out_h, out_w, &err);
        } else {
            st = write_png(path, out, out_h, out_w, &err);
        }
        if (st == LF_OK && path)
            fprintf(stderr, "learnfilter: wrote %s (%dx%d from %dx%d)\n", path, out_h, out_w,
                    in_h, in_w);
    }
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        if (code == EXIT_OK)
            code = EXIT_INPUT;
    }
    free(in);
    free(out);
    free(target);
    return code;
}
