/*
 * dataset.c: cutting photographs into shuffled training and validation
 * patches. See include/learnfilter/dataset.h.
 */
#include "learnfilter/dataset.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_util.h"
#include "learnfilter/rng.h"

/* Patches gathered so far, before the shuffle. */
typedef struct patch_builder {
    int patch_size;
    int channels;    /* planes per patch */
    int stride;      /* pixels between neighbouring patches' corners */
    int variants;    /* mirrored and turned copies of each image, 1..8 */
    int count, capacity;
    float *pixels;
    int *file;
    lf_patch_origin *origin; /* where each patch was cut, and which variant */
    int places;              /* places cut so far (each in all its variants) */
    int truncated; /* patches dropped at LF_DATASET_MAX_PATCHES */
} patch_builder;

static lf_status options_check(const lf_dataset_options *o, int *patch, int *downscale,
                               float *val_fraction, lf_error *err)
{
    *patch = o->patch_size ? o->patch_size : 256;
    if (o->patch_stride < 0 || o->patch_stride > *patch)
        return lf_fail(err, LF_ERR_ARGUMENT, "patch stride %d is outside 1..%d (the patch size)",
                       o->patch_stride, *patch);
    if (o->variants != 0 && o->variants != 1 && o->variants != 2 && o->variants != 4 &&
        o->variants != 8)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "%d variants: each image is cut as it is (1), with its mirror image "
                       "(2), also mirrored top to bottom (4), or also transposed (8)",
                       o->variants);
    *downscale = o->downscale ? o->downscale : 1;
    *val_fraction = o->validation_fraction == 0 ? 0.2f : o->validation_fraction;
    if (*val_fraction < 0)
        *val_fraction = 0;
    if (*patch < LF_PATCH_MIN || *patch > LF_PATCH_MAX)
        return lf_fail(err, LF_ERR_ARGUMENT, "patch size %d is outside %d..%d", *patch,
                       LF_PATCH_MIN, LF_PATCH_MAX);
    if (*downscale < 1 || *downscale > 64)
        return lf_fail(err, LF_ERR_ARGUMENT, "downscale factor %d is outside 1..64", *downscale);
    if (!(*val_fraction < 1.0f))
        return lf_fail(err, LF_ERR_ARGUMENT, "validation fraction %g must be below 1",
                       (double)*val_fraction);
    if (o->channels != 0 && o->channels != 1 && o->channels != 3)
        return lf_fail(err, LF_ERR_ARGUMENT, "%d channels: images are 1 (gray) or 3 (R, G, B)",
                       o->channels);
    if (!(o->noise_sigma >= 0) || !isfinite(o->noise_sigma))
        return lf_fail(err, LF_ERR_ARGUMENT, "noise sigma %g must be zero or positive",
                       (double)o->noise_sigma);
    return LF_OK;
}

/* The size an image of w x h becomes: shrunk by the downscale factor, then
 * enlarged so its shorter side is at least the patch size. Also used to
 * estimate the memory before any image is decoded. */
static void prepared_size(int w, int h, int downscale, int patch, int *out_w, int *out_h,
                          bool *shrink, bool *enlarge)
{
    *shrink = downscale > 1;
    if (*shrink) {
        w = w / downscale < 1 ? 1 : w / downscale;
        h = h / downscale < 1 ? 1 : h / downscale;
    }
    int shorter = w < h ? w : h;
    *enlarge = shorter < patch;
    if (*enlarge) {
        double scale = (double)patch / shorter;
        int nw = w == shorter ? patch : (int)ceil(w * scale);
        int nh = h == shorter ? patch : (int)ceil(h * scale);
        w = nw;
        h = nh;
    }
    *out_w = w;
    *out_h = h;
}

/* Shrinks img by the downscale factor, then enlarges it so its shorter side
 * is at least the patch size, as the options promise. Replaces *img. */
static lf_status prepare_image(lf_image *img, int downscale, int patch, lf_error *err)
{
    if (downscale > 1) {
        int w = img->width / downscale, h = img->height / downscale;
        if (w < 1) w = 1;
        if (h < 1) h = 1;
        lf_image smaller;
        lf_status st = lf_image_resize(&smaller, img, w, h, err);
        if (st != LF_OK)
            return st;
        lf_image_deinit(img);
        *img = smaller;
    }
    int w, h;
    bool shrink, enlarge;
    prepared_size(img->width, img->height, 1, patch, &w, &h, &shrink, &enlarge);
    if (enlarge) {
        lf_image larger;
        lf_status st = lf_image_resize(&larger, img, w, h, err);
        if (st != LF_OK)
            return st;
        lf_image_deinit(img);
        *img = larger;
    }
    return LF_OK;
}

/* Patches of one prepared w x h image in all its variants: a transpose
 * swaps the sides, which leaves the count as it is. */
static long long patches_of(int w, int h, int patch, int stride, int variants)
{
    return (long long)variants * ((w - patch) / stride + 1) * ((h - patch) / stride + 1);
}

/* Refuses, before any image is decoded, a set whose patches would take more
 * than LF_DATASET_MAX_BYTES. Sizes come from the headers (lf_image_peek);
 * files whose header cannot be read are left to the loading loop, which
 * skips them with their own reason. */
static lf_status check_memory(const lf_path_list *files, int downscale, int patch, int stride,
                              int variants, int channels, bool noisy, const char *what,
                              lf_error *err)
{
    long long patches = 0;
    for (int i = 0; i < files->count && patches < LF_DATASET_MAX_PATCHES; i++) {
        unsigned char *bytes;
        size_t size;
        if (lf_read_file(files->paths[i], LF_IMAGE_MAX_FILE_BYTES, &bytes, &size, NULL) != LF_OK)
            continue;
        int w, h;
        lf_status st = lf_image_peek(bytes, size, files->paths[i], &w, &h, NULL);
        free(bytes);
        if (st != LF_OK)
            continue;
        bool shrink, enlarge;
        prepared_size(w, h, downscale, patch, &w, &h, &shrink, &enlarge);
        patches += patches_of(w, h, patch, stride, variants);
    }
    if (patches > LF_DATASET_MAX_PATCHES)
        patches = LF_DATASET_MAX_PATCHES;
    /* Each patch's pixels (twice with noise) and the index of its file:
     * all the dataset keeps per patch, and all the program keeps beside
     * the trainer's bounded caches (dataset.h). */
    long long bytes = patches * ((long long)patch * patch * channels * (long long)sizeof(float) *
                                     (noisy ? 2 : 1) +
                                 (long long)sizeof(int));
    if (bytes <= LF_DATASET_MAX_BYTES)
        return LF_OK;
    return lf_fail(err, LF_ERR_INPUT,
                   "%s: the images make %lld patches of %dx%d%s, which need %.1f GiB of memory%s; "
                   "the limit is %.1f GiB: use fewer images, smaller patches or a downscale",
                   what, patches, patch, patch, channels > 1 ? " in colour" : "",
                   (double)bytes / (1 << 30),
                   noisy ? " with their noisy copy" : "",
                   (double)LF_DATASET_MAX_BYTES / (1 << 30));
}

/* Where pixel (x, y) of variant v of a w x h image comes from: bit 2 of v
 * transposes, then bit 0 mirrors left to right and bit 1 top to bottom, in
 * the variant's own frame (h x w when transposed). */
static size_t variant_index(int v, int x, int y, int w, int h)
{
    const int vw = v & 4 ? h : w, vh = v & 4 ? w : h;
    if (v & 1)
        x = vw - 1 - x;
    if (v & 2)
        y = vh - 1 - y;
    return v & 4 ? (size_t)x * (size_t)w + (size_t)y : (size_t)y * (size_t)w + (size_t)x;
}

size_t lf_dataset_variant_index(int v, int x, int y, int side)
{
    return variant_index(v, x, y, side, side);
}

/* Room for twice as many patches (pages the patches never reach are never
 * touched, and finish gives the rest back). */
static lf_status builder_grow(patch_builder *b, size_t floats, lf_error *err)
{
    int bigger = b->capacity ? b->capacity * 2 : 16;
    float *pixels = realloc(b->pixels, sizeof(float) * (size_t)bigger * floats);
    if (!pixels)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory after %d patches", b->count);
    b->pixels = pixels;
    int *files = realloc(b->file, sizeof(int) * (size_t)bigger);
    if (!files)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory after %d patches", b->count);
    b->file = files;
    lf_patch_origin *origin = realloc(b->origin, sizeof(lf_patch_origin) * (size_t)bigger);
    if (!origin)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory after %d patches", b->count);
    b->origin = origin;
    b->capacity = bigger;
    return LF_OK;
}

/* Adds the patches of one image, given as b->channels planes of one size:
 * each variant in turn, rows of patches from the top. Variant v of a place
 * is the patch cut there, mirrored and turned (variant_index on the patch):
 * the same as cutting the turned image at the turned place, and exactly the
 * same pixels, so the patches of one place share their statistics up to a
 * permutation (gram_variant.h). Cutting each turned image on its own grid
 * from its top left would take other regions whenever the stride does not
 * divide the image's side less the patch's. */
static lf_status builder_add(patch_builder *b, const lf_image *planes, int file, lf_error *err)
{
    const int p = b->patch_size, s = b->stride;
    const lf_image *img = planes;
    const size_t floats = (size_t)b->channels * p * p;
    const int nx = (img->width - p) / s + 1, ny = (img->height - p) / s + 1;
    for (int v = 0; v < b->variants; v++) {
        for (int py = 0; py < ny; py++) {
            for (int px = 0; px < nx; px++) {
                if (b->count >= LF_DATASET_MAX_PATCHES) {
                    b->truncated++;
                    continue;
                }
                if (b->count == b->capacity && builder_grow(b, floats, err) != LF_OK)
                    return LF_ERR_NOMEM;
                float *dst = b->pixels + (size_t)b->count * floats;
                const int x0 = px * s, y0 = py * s;
                for (int c = 0; c < b->channels; c++) {
                    const float *corner = planes[c].pixels + (size_t)y0 * img->width + x0;
                    for (int y = 0; y < p; y++) {
                        float *row = dst + ((size_t)c * p + y) * p;
                        if (v == 0) {
                            memcpy(row, corner + (size_t)y * img->width,
                                   sizeof(float) * (size_t)p);
                            continue;
                        }
                        for (int x = 0; x < p; x++) {
                            size_t at = variant_index(v, x, y, p, p);
                            row[x] = corner[at / (size_t)p * img->width + at % (size_t)p];
                        }
                    }
                }
                b->origin[b->count] = (lf_patch_origin){b->places + py * nx + px, v};
                b->file[b->count++] = file;
            }
        }
    }
    b->places += nx * ny;
    return LF_OK;
}

static void builder_free(patch_builder *b)
{
    free(b->pixels);
    free(b->file);
    free(b->origin);
}

/* Puts patch order[i] at place i for every i, in place: each cycle of the
 * permutation is followed once with one patch aside, so the shuffle needs
 * one patch of memory rather than a second copy of the set. order is
 * used up (marked with -1 as places are filled). */
static void permute_in_place(float *pixels, int *file, lf_patch_origin *origin, int *order, int n,
                             size_t area, float *aside)
{
    for (int start = 0; start < n; start++) {
        if (order[start] < 0)
            continue;
        memcpy(aside, pixels + (size_t)start * area, sizeof(float) * area);
        int aside_file = file[start];
        lf_patch_origin aside_origin = origin[start];
        int place = start;
        while (order[place] != start) {
            int from = order[place];
            memcpy(pixels + (size_t)place * area, pixels + (size_t)from * area,
                   sizeof(float) * area);
            file[place] = file[from];
            origin[place] = origin[from];
            order[place] = -1;
            place = from;
        }
        memcpy(pixels + (size_t)place * area, aside, sizeof(float) * area);
        file[place] = aside_file;
        origin[place] = aside_origin;
        order[place] = -1;
    }
}

/* Shuffles the builder's patches into ds, splits, and adds noise. Takes the
 * builder's memory. */
static lf_status finish(lf_dataset *ds, patch_builder *b, const lf_dataset_options *o,
                        float val_fraction, lf_error *err)
{
    const size_t area = (size_t)b->channels * b->patch_size * b->patch_size;
    int n = b->count;
    int *order = malloc(sizeof(int) * (size_t)n);
    float *aside = malloc(sizeof(float) * area);
    if (!order || !aside) {
        free(order);
        free(aside);
        builder_free(b);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for %d patches", n);
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    lf_rng rng;
    lf_rng_seed(&rng, o->seed);
    lf_rng_shuffle(&rng, order, n);
    permute_in_place(b->pixels, b->file, b->origin, order, n, area, aside);
    free(order);
    free(aside);
    /* The builder grew by doubling: give back what it did not fill. */
    float *pixels = b->pixels;
    int *file = b->file;
    lf_patch_origin *origin = b->origin;
    if (n < b->capacity) {
        float *fitted = realloc(pixels, sizeof(float) * (size_t)n * area);
        int *fitted_file = realloc(file, sizeof(int) * (size_t)n);
        lf_patch_origin *fitted_origin = realloc(origin, sizeof(lf_patch_origin) * (size_t)n);
        pixels = fitted ? fitted : pixels;
        file = fitted_file ? fitted_file : file;
        origin = fitted_origin ? fitted_origin : origin;
    }
    b->pixels = NULL;
    b->file = NULL;
    b->origin = NULL;

    ds->patch_size = b->patch_size;
    ds->channels = b->channels;
    ds->patch_count = n;
    /* Keras: split_at = int(n * (1 - validation_split)); keep at least one
     * training patch so a single image still trains. Keras computes in
     * double from the decimal the user wrote, but the fraction arrives here
     * as a float (0.2f is 0.200000003), and n * (1 - 0.200000003) lands just
     * below a whole number whenever n * 0.8 is one: 10 patches would train
     * on 7, not 8. A float carries about 7 significant digits, so rounding
     * to 6 decimals recovers the written value. */
    double fraction = round((double)val_fraction * 1e6) / 1e6;
    int train = (int)((double)n * (1.0 - fraction));
    if (train < 1)
        train = 1;
    ds->train_count = train;
    ds->validation_count = n - train;
    ds->clean = pixels;
    ds->inputs = pixels;
    ds->patch_file = file;
    ds->patch_origin = origin;
    ds->place_count = b->places;
    ds->variant_count = b->variants;
    ds->noise_sigma = o->noise_sigma;
    if (o->noise_sigma > 0) {
        float *noisy = malloc(sizeof(float) * (size_t)n * area);
        if (!noisy)
            return lf_fail(err, LF_ERR_NOMEM, "out of memory for noisy copies of %d patches", n);
        lf_rng noise;
        lf_rng_seed(&noise, o->seed ^ 0x6e6f697365ull); /* independent of the shuffle */
        for (size_t i = 0; i < (size_t)n * area; i++)
            noisy[i] = pixels[i] + (float)(o->noise_sigma * lf_rng_normal(&noise));
        ds->inputs = noisy;
    }
    return LF_OK;
}

lf_status lf_dataset_from_images(lf_dataset *ds, const lf_image *images, int image_count,
                                 const lf_dataset_options *o, lf_error *err)
{
    memset(ds, 0, sizeof *ds);
    int patch, downscale;
    float val_fraction;
    lf_status st = options_check(o, &patch, &downscale, &val_fraction, err);
    if (st != LF_OK)
        return st;
    const int stride = o->patch_stride ? o->patch_stride : patch;
    const int variants = o->variants ? o->variants : 1;
    if (o->channels > 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "colour patches are cut from image files");
    patch_builder b = {.patch_size = patch, .channels = 1, .stride = stride, .variants = variants};
    for (int i = 0; i < image_count; i++) {
        lf_image copy;
        st = lf_image_resize(&copy, &images[i], images[i].width, images[i].height, err);
        if (st == LF_OK)
            st = prepare_image(&copy, downscale, patch, err);
        if (st == LF_OK)
            st = builder_add(&b, &copy, i, err); /* patch_file: which image it came from */
        lf_image_deinit(&copy);
        if (st != LF_OK) {
            builder_free(&b);
            return st;
        }
    }
    if (b.count == 0) {
        builder_free(&b);
        return lf_fail(err, LF_ERR_INPUT, "no patches: no images given");
    }
    st = finish(ds, &b, o, val_fraction, err);
    if (st != LF_OK) {
        lf_dataset_deinit(ds);
        return st;
    }
    ds->file_count = image_count;
    return LF_OK;
}

lf_status lf_dataset_load(lf_dataset *ds, const lf_dataset_options *o, lf_error *err)
{
    memset(ds, 0, sizeof *ds);
    int patch, downscale;
    float val_fraction;
    lf_status st = options_check(o, &patch, &downscale, &val_fraction, err);
    if (st != LF_OK)
        return st;
    const int stride = o->patch_stride ? o->patch_stride : patch;
    const int variants = o->variants ? o->variants : 1;
    if (o->path_count <= 0 || !o->paths)
        return lf_fail(err, LF_ERR_ARGUMENT, "no image files or folders given");
    const int channels = o->channels > 1 ? o->channels : 1;

    const char *what = o->path_count == 1 ? o->paths[0] : "the given folders";
    lf_path_list files = {0};
    lf_image_walk walk;
    lf_image_walk_init(&walk);
    for (int i = 0; i < o->path_count && st == LF_OK; i++)
        st = lf_image_walk_collect(&walk, &files, o->paths[i], err);
    if (st == LF_OK && files.count == 0 && walk.deep_folders)
        st = lf_fail(err, LF_ERR_INPUT,
                     "%s: no .png, .jpg or .jpeg images within %d levels of folders; %d deeper "
                     "folder%s not searched (the first: %s)",
                     what, LF_MAX_FOLDER_DEPTH, walk.deep_folders,
                     walk.deep_folders == 1 ? " was" : "s were", walk.first_deep);
    else if (st == LF_OK && files.count == 0)
        st = lf_fail(err, LF_ERR_INPUT, "%s: no .png, .jpg or .jpeg images found", what);
    if (st == LF_OK && walk.deep_folders && o->warn) {
        char line[LF_ERROR_MESSAGE_MAX + 128];
        snprintf(line, sizeof line,
                 "%d folder%s deeper than %d levels %s not searched (the first: %s)",
                 walk.deep_folders, walk.deep_folders == 1 ? "" : "s", LF_MAX_FOLDER_DEPTH,
                 walk.deep_folders == 1 ? "was" : "were", walk.first_deep);
        o->warn(o->user, line);
    }
    lf_image_walk_deinit(&walk);
    if (st == LF_OK)
        st = check_memory(&files, downscale, patch, stride, variants, channels,
                          o->noise_sigma > 0, what, err);
    if (st != LF_OK) {
        lf_path_list_deinit(&files);
        return st;
    }

    patch_builder b = {.patch_size = patch, .channels = channels, .stride = stride,
                       .variants = variants};
    char **kept = calloc(files.count > 0 ? (size_t)files.count : 1, sizeof(char *));
    if (!kept) {
        lf_path_list_deinit(&files);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory");
    }
    int kept_count = 0, skipped = 0;
    lf_error first_skip = {0}; /* the reason given when nothing is usable */
    for (int i = 0; i < files.count; i++) {
        lf_image planes[3] = {{0}};
        lf_error why;
        lf_status load = lf_image_load_planes(planes, channels, files.paths[i], &why);
        /* Every plane is scaled the same way, so they stay aligned. */
        for (int c = 0; c < channels && load == LF_OK; c++) {
            load = prepare_image(&planes[c], downscale, patch, &why);
            /* The resize's message does not know the file: name it, since
             * a 1x2000 strip enlarged to a 16-pixel patch is not an
             * obviously bad file. */
            if (load != LF_OK && load != LF_ERR_NOMEM) {
                lf_error resize = why;
                lf_fail(&why, LF_ERR_INPUT, "%s: %dx%d cannot be scaled for %d-pixel patches (%s)",
                        files.paths[i], planes[c].width, planes[c].height, patch, resize.message);
                load = LF_ERR_INPUT;
            }
        }
        if (load == LF_ERR_NOMEM) {
            for (int c = 0; c < channels; c++)
                lf_image_deinit(&planes[c]);
            st = lf_fail(err, LF_ERR_NOMEM, "%s", why.message);
            break;
        }
        if (load != LF_OK) {
            if (skipped++ == 0)
                first_skip = why;
            if (o->warn) {
                char line[LF_ERROR_MESSAGE_MAX + 32];
                snprintf(line, sizeof line, "skipped %s", why.message);
                o->warn(o->user, line);
            }
        } else {
            st = builder_add(&b, planes, kept_count, err);
            kept[kept_count++] = files.paths[i];
            files.paths[i] = NULL; /* ownership moves to kept */
        }
        for (int c = 0; c < channels; c++)
            lf_image_deinit(&planes[c]);
        if (st != LF_OK)
            break;
        if (o->progress)
            o->progress(o->user, i + 1, files.count);
    }
    const int file_total = files.count;
    lf_path_list_deinit(&files);
    if (st == LF_OK && b.truncated && o->warn) {
        char line[160];
        snprintf(line, sizeof line, "kept the first %d patches and ignored %d more",
                 LF_DATASET_MAX_PATCHES, b.truncated);
        o->warn(o->user, line);
    }
    if (st == LF_OK && b.count == 0 && file_total == 1)
        st = lf_fail(err, first_skip.status == LF_ERR_IO ? LF_ERR_IO : LF_ERR_INPUT, "%s",
                     first_skip.message); /* one file: its own reason says it all */
    else if (st == LF_OK && b.count == 0)
        st = lf_fail(err, first_skip.status == LF_ERR_IO ? LF_ERR_IO : LF_ERR_INPUT,
                     "%s: none of the %d image files could be used (%s%s)", what, skipped,
                     skipped > 1 ? "the first: " : "", first_skip.message);
    if (st != LF_OK) {
        builder_free(&b);
        for (int i = 0; i < kept_count; i++)
            free(kept[i]);
        free(kept);
        return st;
    }
    st = finish(ds, &b, o, val_fraction, err);
    ds->file_names = kept;
    ds->file_count = kept_count;
    ds->skipped_count = skipped;
    if (st != LF_OK)
        lf_dataset_deinit(ds);
    return st;
}

void lf_dataset_deinit(lf_dataset *ds)
{
    if (!ds)
        return;
    if (ds->inputs != ds->clean)
        free(ds->inputs);
    free(ds->clean);
    free(ds->patch_file);
    free(ds->patch_origin);
    if (ds->file_names)
        for (int i = 0; i < ds->file_count; i++)
            free(ds->file_names[i]);
    free(ds->file_names);
    memset(ds, 0, sizeof *ds);
}
