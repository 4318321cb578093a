/*
 * explore.c: the explore mode's state and what each action does to it
 * (explore.h): images, actions, the custom kernel. explore_compute.c makes
 * the results from it; explore_draw.c draws it. No SDL.
 */
#include "explore.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"
#include "learnfilter/image.h"

const int explore_repeats[EXPLORE_REPEAT_CHOICES] = {1, 2, 3, 10};
static const int signal_taps[] = {10, 50, 100};
#define EXPLORE_MAX_REDUCTION_SIDE 51
#define EXPLORE_MAX_STRIDE 8

void explore_set_message(explore_state *s, const char *text)
{
    snprintf(s->message, sizeof s->message, "%s", text);
}

/* ========================================================== the images */

lf_status explore_image_from_values(explore_image *img, const char *name, const float *values,
                                   int height, int width, bool is_grid, lf_error *err)
{
    memset(img, 0, sizeof *img);
    img->values = malloc(sizeof(float) * (size_t)height * (size_t)width);
    if (!img->values)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for a %dx%d image", width, height);
    memcpy(img->values, values, sizeof(float) * (size_t)height * (size_t)width);
    snprintf(img->name, sizeof img->name, "%s", name);
    img->height = height;
    img->width = width;
    img->is_grid = is_grid;
    return LF_OK;
}

/* The base name of a path, for the panel's title. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Loads a photo as grayscale, shrunk to EXPLORE_MAX_SIDE on its longer side. */
static lf_status load_photo(explore_image *img, const char *path, lf_error *err)
{
    lf_image full = {0}, small = {0};
    lf_status st = lf_image_load(&full, path, err);
    if (st != LF_OK)
        return st;
    const lf_image *use = &full;
    int longer = full.width > full.height ? full.width : full.height;
    if (longer > EXPLORE_MAX_SIDE) {
        int w = (int)lround((double)full.width * EXPLORE_MAX_SIDE / longer);
        int h = (int)lround((double)full.height * EXPLORE_MAX_SIDE / longer);
        st = lf_image_resize(&small, &full, w > 0 ? w : 1, h > 0 ? h : 1, err);
        if (st != LF_OK) {
            lf_image_deinit(&full);
            return st;
        }
        use = &small;
    }
    st = explore_image_from_values(img, base_name(path), use->pixels, use->height, use->width, false,
                           err);
    lf_image_deinit(&small);
    lf_image_deinit(&full);
    return st;
}

static lf_status append_image(explore_state *s, const explore_image *img, lf_error *err)
{
    explore_image *grown = realloc(s->images, sizeof *grown * (size_t)(s->image_count + 1));
    if (!grown)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the image list");
    s->images = grown;
    s->images[s->image_count++] = *img;
    return LF_OK;
}

lf_status explore_init(explore_state *s, const char *const *photo_paths, int photo_count,
                       lf_error *err)
{
    memset(s, 0, sizeof *s);
    s->kind = LF_OP_KERNEL;
    s->kernel_index = lf_kernel_catalog_find("edge-x");
    if (s->kernel_index < 0)
        s->kernel_index = 0;
    s->size = 3;
    s->repeat = 1;
    s->stride = 1;
    s->padding = LF_PADDING_SAME;
    s->edit_cell = -1;
    s->custom.height = s->custom.width = EXPLORE_CUSTOM_SIDE;
    s->custom.weights[EXPLORE_CUSTOM_SIDE * EXPLORE_CUSTOM_SIDE / 2] = 1.0f; /* identity */
    snprintf(s->custom.name, sizeof s->custom.name, "your kernel");
    s->signal_window = LF_WINDOW1D_HANN;
    s->signal_taps = 50;
    s->dirty = true;
    s->scratch = malloc(sizeof(float) * EXPLORE_MAX_SIDE * EXPLORE_MAX_SIDE);
    for (int i = 0; i < EXPLORE_MAX_RESULTS && s->scratch; i++) {
        s->results[i].values = malloc(sizeof(float) * EXPLORE_MAX_SIDE * EXPLORE_MAX_SIDE);
        if (!s->results[i].values) {
            explore_deinit(s);
            return lf_fail(err, LF_ERR_NOMEM, "out of memory for the results");
        }
    }
    for (int i = 0; i < photo_count; i++) {
        explore_image img;
        lf_error why;
        if (load_photo(&img, photo_paths[i], &why) != LF_OK) {
            explore_set_message(s, why.message);
            continue;
        }
        if (append_image(s, &img, err) != LF_OK) {
            free(img.values);
            explore_deinit(s);
            return LF_ERR_NOMEM;
        }
    }
    int grid_count;
    const lf_grid *grids = lf_grids(&grid_count);
    for (int i = 0; i < grid_count; i++) {
        explore_image img;
        lf_status st;
        if (grids[i].height > EXPLORE_CROP_SIDE || grids[i].width > EXPLORE_CROP_SIDE)
            st = lf_fail(err, LF_ERR_INPUT, "grid %s is larger than the lens shows", grids[i].name);
        else
            st = explore_image_from_values(&img, grids[i].name, grids[i].values, grids[i].height,
                                   grids[i].width, true, err);
        if (st == LF_OK && (st = append_image(s, &img, err)) != LF_OK)
            free(img.values);
        if (st != LF_OK) {
            explore_deinit(s);
            return st;
        }
    }
    return LF_OK;
}

void explore_deinit(explore_state *s)
{
    for (int i = 0; i < s->image_count; i++)
        free(s->images[i].values);
    free(s->images);
    free(s->lens_input.values);
    for (int i = 0; i < EXPLORE_MAX_RESULTS; i++)
        free(s->results[i].values);
    free(s->scratch);
    memset(s, 0, sizeof *s);
}

lf_status explore_add_photo(explore_state *s, const char *path, lf_error *err)
{
    explore_image img;
    lf_status st = load_photo(&img, path, err);
    if (st != LF_OK)
        return st;
    st = append_image(s, &img, err);
    if (st != LF_OK) {
        free(img.values);
        return st;
    }
    s->image_index = s->image_count - 1;
    s->dirty = true;
    return LF_OK;
}

/* ========================================================= the actions */

static bool refuse(explore_state *s, const char *why)
{
    explore_set_message(s, why);
    return false;
}

static int next_in(const int *values, int count, int current)
{
    for (int i = 0; i < count; i++)
        if (values[i] == current)
            return values[(i + 1) % count];
    return values[0];
}

/* The kernel catalog, stepped through, skipping entries that cannot load. */
static void step_kernel(explore_state *s, int direction)
{
    int n = lf_kernel_catalog_count() + 1; /* the custom kernel last */
    s->kernel_index = ((s->kernel_index + direction) % n + n) % n;
}

bool explore_lens_action(explore_state *s, explore_action action)
{
    if (s->lens_positions <= 0)
        return refuse(s, s->lens_message[0] ? s->lens_message : "the lens has nothing to show");
    switch (action) {
    case EXPLORE_LENS_STEP:
        s->lens_position = (s->lens_position + 1) % s->lens_positions;
        break;
    case EXPLORE_LENS_BACK:
        s->lens_position = (s->lens_position + s->lens_positions - 1) % s->lens_positions;
        break;
    default:
        s->lens_playing = !s->lens_playing;
        return true;
    }
    lf_error err;
    const explore_image *in = &s->lens_input;
    lf_kernel kernel; /* op points at its weights */
    lf_op op = explore_current_op(s, &kernel);
    op.repeat = 1;
    int oy = s->lens_position / s->lens_out_w, ox = s->lens_position % s->lens_out_w;
    if (lf_lens_explain(&op, in->values, in->height, in->width, oy, ox, s->lens_cells,
                        LF_LENS_MAX_CELLS, &s->lens_step, &err) != LF_OK)
        return refuse(s, err.message);
    lf_lens_arithmetic(&op, s->lens_cells, LF_LENS_MAX_CELLS, &s->lens_step, s->lens_text,
                       sizeof s->lens_text);
    return true;
}

bool explore_apply(explore_state *s, explore_action action)
{
    bool reduction = s->kind != LF_OP_KERNEL;
    s->message[0] = '\0';
    switch (action) {
    case EXPLORE_NEXT_VIEW:
        s->view = (explore_view)((s->view + 1) % EXPLORE_VIEW_COUNT);
        s->lens_playing = false;
        return true;
    case EXPLORE_NEXT_KIND:
    case EXPLORE_PREV_KIND: {
        int n = LF_OP_MEDIAN + 1, d = action == EXPLORE_NEXT_KIND ? 1 : n - 1;
        s->kind = (lf_op_kind)((s->kind + d) % n);
        break;
    }
    case EXPLORE_GROW:
    case EXPLORE_SHRINK:
        if (!reduction) {
            step_kernel(s, action == EXPLORE_GROW ? 1 : -1);
        } else if (s->shape == LF_WINDOW_PLUS) {
            return refuse(s, "the plus-shaped lens is always 3x3: press L for a square");
        } else {
            int size = s->size + (action == EXPLORE_GROW ? 2 : -2);
            if (size < 1 || size > EXPLORE_MAX_REDUCTION_SIDE)
                return refuse(s, size < 1 ? "the window is already 1x1"
                                          : "the window is already as big as explore makes it");
            s->size = size;
        }
        break;
    case EXPLORE_STRIDE_UP:
    case EXPLORE_STRIDE_DOWN: {
        int stride = s->stride + (action == EXPLORE_STRIDE_UP ? 1 : -1);
        if (stride < 1 || stride > EXPLORE_MAX_STRIDE)
            return refuse(s, stride < 1 ? "the stride is already 1" : "the stride is at its largest");
        s->stride = stride;
        break;
    }
    case EXPLORE_NEXT_REPEAT:
        s->repeat = next_in(explore_repeats, EXPLORE_REPEAT_CHOICES, s->repeat);
        break;
    case EXPLORE_TOGGLE_PADDING:
        s->padding = s->padding == LF_PADDING_SAME ? LF_PADDING_VALID : LF_PADDING_SAME;
        break;
    case EXPLORE_TOGGLE_SHAPE:
        if (!reduction)
            return refuse(s, "a kernel has its own shape: choose sum, mean, max, min or median");
        s->shape = s->shape == LF_WINDOW_SQUARE ? LF_WINDOW_PLUS : LF_WINDOW_SQUARE;
        break;
    case EXPLORE_NEXT_IMAGE:
        if (s->image_count < 1)
            return refuse(s, "no images");
        s->image_index = (s->image_index + 1) % s->image_count;
        break;
    case EXPLORE_NEXT_COMPARE:
        s->compare = (explore_compare)((s->compare + 1) % EXPLORE_COMPARE_COUNT);
        break;
    case EXPLORE_NEXT_DISPLAY:
        s->display = (explore_display)((s->display + 1) % EXPLORE_DISPLAY_COUNT);
        break;
    case EXPLORE_LENS_STEP:
    case EXPLORE_LENS_BACK:
    case EXPLORE_LENS_PLAY:
        return explore_lens_action(s, action);
    case EXPLORE_SIGNAL_NEXT_WINDOW:
        s->signal_window = (lf_window1d)((s->signal_window + 1) % LF_WINDOW1D_COUNT);
        break;
    case EXPLORE_LEARN_THIS:
        return explore_target_spec(s, s->learn, sizeof s->learn);
    case EXPLORE_SIGNAL_NEXT_TAPS:
        s->signal_taps = next_in(signal_taps, (int)(sizeof signal_taps / sizeof signal_taps[0]),
                                 s->signal_taps);
        break;
    default:
        return false;
    }
    s->dirty = true;
    return true;
}

/* ====================================================== the custom kernel */

void explore_current_kernel(const explore_state *s, lf_kernel *kernel)
{
    if (s->kernel_index >= lf_kernel_catalog_count()) {
        *kernel = s->custom;
        return;
    }
    const lf_kernel_info *info = lf_kernel_catalog_get(s->kernel_index);
    lf_error err;
    if (!info || lf_kernel_from_name(kernel, info->name, 1, &err) != LF_OK) {
        memset(kernel, 0, sizeof *kernel);
        kernel->height = kernel->width = 1;
        kernel->weights[0] = 1.0f;
    }
}

lf_op explore_current_op(const explore_state *s, lf_kernel *kernel)
{
    lf_op op = {.kind = s->kind, .window = s->shape, .size = s->size, .repeat = s->repeat,
                .stride = s->stride, .padding = s->padding};
    if (s->kind == LF_OP_KERNEL) {
        explore_current_kernel(s, kernel);
        op.kernel = kernel->weights;
        op.kernel_h = kernel->height;
        op.kernel_w = kernel->width;
    }
    return op;
}

void explore_select_custom(explore_state *s)
{
    s->kind = LF_OP_KERNEL;
    s->kernel_index = lf_kernel_catalog_count();
    s->dirty = true;
}

bool explore_edit_begin(explore_state *s, int cell)
{
    if (cell < 0 || cell >= s->custom.height * s->custom.width)
        return false;
    if (s->kind != LF_OP_KERNEL || s->kernel_index < lf_kernel_catalog_count()) {
        /* Typing into a catalog kernel starts the custom one from it. */
        lf_kernel k;
        explore_current_kernel(s, &k);
        if (s->kind == LF_OP_KERNEL && cell < k.height * k.width) {
            s->custom = k;
            snprintf(s->custom.name, sizeof s->custom.name, "your kernel");
        }
        explore_select_custom(s);
    }
    s->edit_cell = cell;
    s->edit_text[0] = '\0';
    return true;
}

void explore_edit_type(explore_state *s, const char *utf8)
{
    if (s->edit_cell < 0)
        return;
    size_t used = strlen(s->edit_text);
    for (const char *p = utf8; *p && used + 1 < sizeof s->edit_text; p++)
        if (strchr("0123456789.-+eE", *p))
            s->edit_text[used++] = *p;
    s->edit_text[used] = '\0';
}

void explore_edit_erase(explore_state *s)
{
    size_t used = strlen(s->edit_text);
    if (used)
        s->edit_text[used - 1] = '\0';
}

bool explore_edit_commit(explore_state *s)
{
    if (s->edit_cell < 0)
        return false;
    char *end;
    double v = strtod(s->edit_text, &end);
    if (s->edit_text[0] == '\0' || *end != '\0' || !isfinite(v) || fabs(v) > 1e6) {
        snprintf(s->message, sizeof s->message, "'%s' is not a number for a weight",
                 s->edit_text);
        return false;
    }
    s->custom.weights[s->edit_cell] = (float)v;
    s->edit_cell = -1;
    s->dirty = true;
    return true;
}

void explore_edit_cancel(explore_state *s)
{
    s->edit_cell = -1;
    s->edit_text[0] = '\0';
}

lf_status explore_load_kernel(explore_state *s, const char *path, lf_error *err)
{
    lf_kernel k;
    lf_status st = lf_kernel_load(&k, path, err);
    if (st != LF_OK)
        return st;
    s->custom = k;
    explore_select_custom(s);
    return LF_OK;
}

void explore_show_image(explore_state *s, int index)
{
    if (index < 0 || index >= s->image_count || index == s->image_index)
        return;
    s->image_index = index;
    s->dirty = true;
}

bool explore_target_spec(explore_state *s, char *out, size_t capacity)
{
    if (s->stride != 1 || s->repeat != 1 || s->padding != LF_PADDING_SAME)
        return refuse(s, "a network learns one pass at stride 1 with 'same' padding: set "
                         "repeat 1, stride 1 and padding same");
    if (s->kind == LF_OP_KERNEL) {
        if (s->kernel_index >= lf_kernel_catalog_count())
            return refuse(s, "a typed kernel is learned from a file: save it as a text "
                             "matrix and drop it on the training window");
        snprintf(out, capacity, "%s", lf_kernel_catalog_get(s->kernel_index)->name);
    } else if (s->shape == LF_WINDOW_PLUS) {
        snprintf(out, capacity, "%s:plus", lf_op_kind_name(s->kind));
    } else {
        snprintf(out, capacity, "%s:%d", lf_op_kind_name(s->kind), s->size);
    }
    return true;
}
