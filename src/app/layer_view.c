/*
 * layer_view.c: the random-filters experiment's thread and its arithmetic.
 * See layer_view.h.
 *
 * Three result slots: the thread fills its own, then swaps it with the
 * "ready" one under the lock; the window swaps "ready" with the one it
 * draws, also under the lock. The lock is held only for those swaps and
 * for a request, so neither side waits on the other's work.
 */
#define _POSIX_C_SOURCE 200809L
#include "layer_view.h"

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "learnfilter/image.h"
#include "learnfilter/layer.h"
#include "learnfilter/rng.h"

#define LAYER_VIEW_MAX_FILES 4096 /* files looked at for a colour photo */

/* =========================================================== arithmetic */

void layer_view_filters(float *weights, size_t count, uint64_t seed, unsigned roll)
{
    lf_rng rng;
    /* One stream per roll; the golden-ratio step keeps neighbouring seeds
     * and rolls apart. */
    lf_rng_seed(&rng, seed * 0x9E3779B97F4A7C15ull + roll);
    const double sigma = 1.0 / sqrt(27.0);
    for (size_t i = 0; i < count && i < LAYER_VIEW_TAPS; i++)
        weights[i] = (float)(sigma * lf_rng_normal(&rng));
}

static lf_status random_shape(lf_layer_shape *s, int height, int width, lf_error *err)
{
    lf_layer_desc d = {.in_height = height, .in_width = width, .k_height = 3, .k_width = 3,
                       .channels = 3, .filters = LAYER_X_FILTERS, .stride = 1,
                       .padding = LF_PADDING_SAME, .activation = LF_ACTIVATION_NONE, .pool = 1};
    return lf_layer_shape_make(s, &d, err);
}

lf_status layer_view_compute(layer_view_result *out, const float *photo, int height, int width,
                             uint64_t seed, unsigned roll, lf_error *err)
{
    lf_layer_shape s;
    lf_status st = random_shape(&s, height, width, err);
    if (st != LF_OK)
        return st;
    size_t plane = (size_t)height * (size_t)width;
    if (plane > out->capacity || !out->photo || !out->maps)
        return lf_fail(err, LF_ERR_ARGUMENT, "a %dx%d photo is larger than the view's %zu pixels",
                       width, height, out->capacity);
    float params[LAYER_VIEW_TAPS + LAYER_X_FILTERS] = {0}; /* weights, then zero biases */
    layer_view_filters(params, LAYER_VIEW_TAPS, seed, roll);
    float *work = malloc(sizeof(float) * (s.work_count ? s.work_count : 1));
    if (!work)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the random filters' workspace");
    if (out->photo != photo)
        memcpy(out->photo, photo, sizeof(float) * 3 * plane);
    /* No pooling: the activations are the output. */
    lf_layer_forward(out->maps, out->maps, out->photo, params, &s, work);
    free(work);
    memcpy(out->filters, params, sizeof out->filters);
    out->height = height;
    out->width = width;
    out->roll = roll;
    out->ok = true;
    out->message[0] = 0;
    return LF_OK;
}

/* =============================================================== photos */

typedef struct photo {
    int height, width;
    float *planes; /* (3, height, width); NULL until loaded */
    char name[LAYER_VIEW_NAME_MAX];
} photo;

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds path (a file, or a folder's supported files in name order) to list. */
static void collect(char **list, int *count, const char *path)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return;
    if (!S_ISDIR(info.st_mode)) {
        if (*count < LAYER_VIEW_MAX_FILES && lf_image_path_is_supported(path))
            list[(*count)++] = strdup(path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir)
        return;
    int first = *count;
    struct dirent *e;
    while ((e = readdir(dir)) && *count < LAYER_VIEW_MAX_FILES) {
        if (e->d_name[0] == '.' || !lf_image_path_is_supported(e->d_name))
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(n);
        if (!full)
            break;
        snprintf(full, n, "%s/%s", path, e->d_name);
        list[(*count)++] = full;
    }
    closedir(dir);
    qsort(list + first, (size_t)(*count - first), sizeof *list, compare_paths);
}

/* How far the planes are from gray: the mean of |R - G| + |G - B|. */
static double colourfulness(const lf_image *p)
{
    size_t n = (size_t)p[0].width * p[0].height;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += fabsf(p[0].pixels[i] - p[1].pixels[i]) + fabsf(p[1].pixels[i] - p[2].pixels[i]);
    return n ? sum / (double)n : 0;
}

/* Loads path shrunk to LAYER_VIEW_PHOTO_SIDE into ph when it is in colour. */
static bool load_colour(photo *ph, const char *path, lf_error *err)
{
    lf_image planes[3] = {{0}};
    if (lf_image_load_planes(planes, 3, path, err) != LF_OK)
        return false;
    bool ok = colourfulness(planes) > 0.02;
    int w = planes[0].width, h = planes[0].height;
    int longer = w > h ? w : h;
    if (longer > LAYER_VIEW_PHOTO_SIDE) {
        w = (int)((long)w * LAYER_VIEW_PHOTO_SIDE / longer);
        h = (int)((long)h * LAYER_VIEW_PHOTO_SIDE / longer);
        w = w < 1 ? 1 : w;
        h = h < 1 ? 1 : h;
    }
    float *out = ok ? malloc(sizeof(float) * 3 * (size_t)w * h) : NULL;
    for (int c = 0; c < 3 && out; c++) {
        lf_image small = {0};
        if (lf_image_resize(&small, &planes[c], w, h, err) != LF_OK) {
            free(out);
            out = NULL;
            break;
        }
        memcpy(out + (size_t)c * w * h, small.pixels, sizeof(float) * (size_t)w * h);
        lf_image_deinit(&small);
    }
    for (int c = 0; c < 3; c++)
        lf_image_deinit(&planes[c]);
    if (!out)
        return false;
    ph->planes = out;
    ph->width = w;
    ph->height = h;
    const char *slash = strrchr(path, '/');
    snprintf(ph->name, sizeof ph->name, "%s", slash ? slash + 1 : path);
    return true;
}

/* The first colour photo of the files from the seed's place on. */
static bool find_photo(photo *ph, char **files, int count, uint64_t seed, char *why, size_t size)
{
    snprintf(why, size, "no photos found for the random filters");
    for (int k = 0; k < count; k++) {
        lf_error err = {0};
        if (load_colour(ph, files[(size_t)((seed + (uint64_t)k) % (uint64_t)count)], &err))
            return true;
        snprintf(why, size, "no colour photo among the %d photos of the dataset", count);
    }
    return false;
}

/* ============================================================= thread */

struct layer_view {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool quit;
    unsigned wanted;           /* the roll asked for last; 0: none */
    unsigned done;             /* the roll in ready or front last */
    layer_view_result slots[3];
    int work, ready, front;    /* slot indices */
    bool fresh;                /* ready holds a roll the window has not taken */
    uint64_t seed;
    char **files;
    int file_count;
    photo ph;
};

static void *view_main(void *arg)
{
    layer_view *v = arg;
    bool looked = false;
    char why[LAYER_VIEW_MESSAGE_MAX] = "";
    pthread_mutex_lock(&v->lock);
    for (;;) {
        while (!v->quit && v->wanted == v->done)
            pthread_cond_wait(&v->wake, &v->lock);
        if (v->quit)
            break;
        unsigned roll = v->wanted;
        layer_view_result *out = &v->slots[v->work];
        pthread_mutex_unlock(&v->lock);
        /* The photo once, on the first request: the window opens without it. */
        if (!looked) {
            looked = true;
            find_photo(&v->ph, v->files, v->file_count, v->seed, why, sizeof why);
        }
        lf_error err = {0};
        if (!v->ph.planes) {
            out->ok = false;
            snprintf(out->message, sizeof out->message, "%s", why);
        } else if (layer_view_compute(out, v->ph.planes, v->ph.height, v->ph.width, v->seed, roll,
                                      &err) != LF_OK) {
            out->ok = false;
            snprintf(out->message, sizeof out->message, "%.200s", err.message);
        }
        out->roll = roll;
        snprintf(out->photo_name, sizeof out->photo_name, "%s", v->ph.name);
        pthread_mutex_lock(&v->lock);
        int t = v->ready;
        v->ready = v->work;
        v->work = t;
        v->fresh = true;
        v->done = roll;
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

static void free_view(layer_view *v)
{
    for (int i = 0; i < 3; i++) {
        free(v->slots[i].photo);
        free(v->slots[i].maps);
    }
    for (int i = 0; i < v->file_count; i++)
        free(v->files[i]);
    free(v->files);
    free(v->ph.planes);
    free(v);
}

layer_view *layer_view_create(const layer_view_options *o)
{
    layer_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->seed = o->seed;
    v->files = calloc(LAYER_VIEW_MAX_FILES, sizeof *v->files);
    const size_t cap = (size_t)LAYER_VIEW_PHOTO_SIDE * LAYER_VIEW_PHOTO_SIDE;
    bool ok = v->files != NULL;
    for (int i = 0; i < 3 && ok; i++) {
        v->slots[i].capacity = cap;
        v->slots[i].photo = malloc(sizeof(float) * 3 * cap);
        v->slots[i].maps = malloc(sizeof(float) * LAYER_X_FILTERS * cap);
        ok = v->slots[i].photo && v->slots[i].maps;
    }
    if (!ok) {
        free_view(v);
        return NULL;
    }
    for (int i = 0; i < o->path_count; i++)
        collect(v->files, &v->file_count, o->paths[i]);
    if (o->path_count == 0 && o->data_dir)
        collect(v->files, &v->file_count, o->data_dir);
    v->work = 0;
    v->ready = 1;
    v->front = 2;
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, NULL);
    if (pthread_create(&v->thread, NULL, view_main, v) != 0) {
        pthread_mutex_destroy(&v->lock);
        pthread_cond_destroy(&v->wake);
        free_view(v);
        return NULL;
    }
    return v;
}

void layer_view_destroy(layer_view *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->quit = true;
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
    pthread_join(v->thread, NULL);
    pthread_mutex_destroy(&v->lock);
    pthread_cond_destroy(&v->wake);
    free_view(v);
}

void layer_view_request(layer_view *v, unsigned roll)
{
    pthread_mutex_lock(&v->lock);
    v->wanted = roll;
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
}

const layer_view_result *layer_view_acquire(layer_view *v, bool *is_new)
{
    pthread_mutex_lock(&v->lock);
    bool fresh = v->fresh;
    if (fresh) {
        int t = v->front;
        v->front = v->ready;
        v->ready = t;
        v->fresh = false;
    }
    const layer_view_result *r = v->slots[v->front].roll ? &v->slots[v->front] : NULL;
    pthread_mutex_unlock(&v->lock);
    if (is_new)
        *is_new = fresh;
    return r;
}
