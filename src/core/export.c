/*
 * export.c: atomic file writes, .npy output and weight histories.
 * See include/learnfilter/export.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "learnfilter/export.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ======================================================== atomic files */

/* The temporaries open now, for lf_atomic_remove_temporaries. A slot is 0
 * free, 1 being filled, 2 holding a path; the handler reads only 2. */
static atomic_int open_state[LF_ATOMIC_MAX_OPEN];
static char open_paths[LF_ATOMIC_MAX_OPEN][4096];

static int register_temporary(const char *path)
{
    for (int i = 0; i < LF_ATOMIC_MAX_OPEN; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&open_state[i], &expected, 1)) {
            snprintf(open_paths[i], sizeof open_paths[i], "%s", path);
            atomic_store(&open_state[i], 2);
            return i + 1;
        }
    }
    return 0;
}

static void unregister_temporary(lf_atomic_file *file)
{
    if (file->slot > 0 && file->slot <= LF_ATOMIC_MAX_OPEN)
        atomic_store(&open_state[file->slot - 1], 0);
    file->slot = 0;
}

void lf_atomic_remove_temporaries(void)
{
    for (int i = 0; i < LF_ATOMIC_MAX_OPEN; i++)
        if (atomic_load(&open_state[i]) == 2)
            unlink(open_paths[i]);
}

lf_status lf_atomic_open(lf_atomic_file *file, const char *path, lf_error *err)
{
    memset(file, 0, sizeof *file);
    if (strlen(path) + 32 >= sizeof file->temp_path)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: path is too long", path);
    snprintf(file->final_path, sizeof file->final_path, "%s", path);
    /* A name no other writer uses, in the same folder as the final file so
     * the rename cannot cross file systems. Not mkstemp: it creates the file
     * 0600 whatever the umask, and the rename would hand the user a weights
     * file nobody else can read. open() with 0666 lets the umask decide, as
     * for any file a program writes; O_EXCL makes the name ours. */
    static atomic_uint counter;
    int fd = -1;
    for (int attempt = 0; attempt < 64 && fd < 0; attempt++) {
        snprintf(file->temp_path, sizeof file->temp_path, "%s.tmp-%ld-%u", path, (long)getpid(),
                 atomic_fetch_add(&counter, 1u));
        fd = open(file->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        file->temp_path[0] = 0;
        return lf_fail(err, LF_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    file->slot = register_temporary(file->temp_path);
    file->stream = fdopen(fd, "wb");
    if (!file->stream) {
        int e = errno;
        close(fd);
        unlink(file->temp_path);
        unregister_temporary(file);
        file->temp_path[0] = 0;
        return lf_fail(err, LF_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    return LF_OK;
}

void lf_atomic_note(lf_atomic_file *file)
{
    if (file->stream && !file->write_errno && ferror(file->stream))
        file->write_errno = errno ? errno : EIO;
}

lf_status lf_atomic_commit(lf_atomic_file *file, lf_error *err)
{
    if (!file->stream)
        return lf_fail(err, LF_ERR_IO, "%s: file was not open", file->final_path);
    int failed = ferror(file->stream);
    int e = failed ? file->write_errno : 0;
    if (fflush(file->stream) != 0 || fsync(fileno(file->stream)) != 0) {
        if (!e)
            e = errno;
        failed = 1;
    }
    if (fclose(file->stream) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    file->stream = NULL;
    if (!failed && rename(file->temp_path, file->final_path) != 0) {
        failed = 1;
        e = errno;
    }
    if (!failed) {
        /* The rename itself is only durable once the folder is synced; a
         * folder that cannot be opened (no read permission) still has the
         * file, so this is best effort. */
        char folder[sizeof file->final_path];
        snprintf(folder, sizeof folder, "%s", file->final_path);
        char *slash = strrchr(folder, '/');
        if (slash)
            slash[slash == folder ? 1 : 0] = 0;
        int dir = open(slash ? folder : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            fsync(dir);
            close(dir);
        }
    }
    unregister_temporary(file);
    if (failed) {
        unlink(file->temp_path);
        file->temp_path[0] = 0;
        return lf_fail(err, LF_ERR_IO, "%s: write failed: %s", file->final_path,
                       e ? strerror(e) : "output error");
    }
    file->temp_path[0] = 0;
    return LF_OK;
}

void lf_atomic_abandon(lf_atomic_file *file)
{
    if (!file)
        return;
    if (file->stream)
        fclose(file->stream);
    file->stream = NULL;
    if (file->temp_path[0])
        unlink(file->temp_path);
    unregister_temporary(file);
    file->temp_path[0] = 0;
}

/* ================================================================= npy */

static int host_is_little_endian(void)
{
    uint16_t probe = 1;
    unsigned char first;
    memcpy(&first, &probe, 1);
    return first == 1;
}

static void npy_header(FILE *f, const size_t *shape, int ndim)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%zu,%s", shape[i],
                      i + 1 < ndim ? " " : "");
    if (ndim > 1)
        n--; /* (3, 4) rather than (3, 4,); a 1-tuple keeps its comma: (3,) */
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* The format pads the header with spaces and a newline so the data starts
     * on a 64-byte boundary. */
    int total = 10 + n + 1;
    int pad = (64 - total % 64) % 64;
    int header_len = n + pad + 1;
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(header_len & 0xff, f);
    fputc(header_len >> 8, f);
    fwrite(dict, 1, (size_t)n, f);
    for (int i = 0; i < pad; i++)
        fputc(' ', f);
    fputc('\n', f);
}

static void write_f32_le(lf_atomic_file *file, const float *data, size_t count)
{
    FILE *f = file->stream;
    errno = 0;
    if (host_is_little_endian()) {
        fwrite(data, sizeof(float), count, f);
        lf_atomic_note(file);
        return;
    }
    for (size_t i = 0; i < count && !ferror(f); i++) {
        uint32_t u;
        memcpy(&u, &data[i], 4);
        unsigned char b[4] = {u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff, u >> 24};
        fwrite(b, 1, 4, f);
    }
    lf_atomic_note(file);
}

lf_status lf_npy_write_f32(const char *path, const float *data, const size_t *shape, int ndim,
                           lf_error *err)
{
    if (ndim < 1 || ndim > 5)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: .npy arrays of %d dimensions are not supported",
                       path, ndim);
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= shape[i];
    lf_atomic_file file;
    lf_status st = lf_atomic_open(&file, path, err);
    if (st != LF_OK)
        return st;
    errno = 0;
    npy_header(file.stream, shape, ndim);
    lf_atomic_note(&file);
    write_f32_le(&file, data, count);
    return lf_atomic_commit(&file, err);
}

/* ======================================================= weight history */

void lf_weight_history_init(lf_weight_history *h, int kernel_height, int kernel_width)
{
    memset(h, 0, sizeof *h);
    h->kernel_height = kernel_height;
    h->kernel_width = kernel_width;
    long taps = (long)(kernel_height > 0 ? kernel_height : 1) * (kernel_width > 0 ? kernel_width : 1);
    h->filters = h->channels = 1;
    long by_bytes = LF_WEIGHT_HISTORY_MAX_BYTES / (taps * (long)sizeof(float));
    long max = by_bytes < LF_WEIGHT_HISTORY_MAX_SNAPSHOTS ? by_bytes : LF_WEIGHT_HISTORY_MAX_SNAPSHOTS;
    h->max_count = max < 4 ? 4 : (int)max; /* room to thin: the first, one more, the last */
    h->spacing = 1;
}

void lf_weight_history_init_bank(lf_weight_history *h, int filters, int channels,
                                 int kernel_height, int kernel_width)
{
    filters = filters > 1 ? filters : 1;
    channels = channels > 1 ? channels : 1;
    /* The bounds are figured on all the bank's weights as one tall kernel. */
    lf_weight_history_init(h, filters * channels * kernel_height, kernel_width);
    h->kernel_height = kernel_height;
    h->filters = filters;
    h->channels = channels;
}

/* Weights in one snapshot. */
static size_t history_taps(const lf_weight_history *h)
{
    return (size_t)(h->filters > 1 ? h->filters : 1) * (size_t)(h->channels > 1 ? h->channels : 1) *
           (size_t)h->kernel_height * (size_t)h->kernel_width;
}

void lf_weight_history_deinit(lf_weight_history *h)
{
    if (!h)
        return;
    free(h->weights);
    free(h->steps);
    free(h->epochs);
    free(h->rel_errs);
    memset(h, 0, sizeof *h);
}

lf_status lf_weight_history_append(lf_weight_history *h, const float *weights, long step, int epoch,
                                   double rel_err, lf_error *err)
{
    size_t taps = history_taps(h);
    if (h->count >= h->max_count)
        return lf_fail(err, LF_ERR_ARGUMENT, "the weight history is full (%d snapshots)",
                       h->max_count);
    if (h->count == h->capacity) {
        int bigger = h->capacity ? h->capacity * 2 : 128;
        if (bigger > h->max_count)
            bigger = h->max_count;
        float *w = realloc(h->weights, sizeof(float) * taps * (size_t)bigger);
        if (w)
            h->weights = w;
        long *s = realloc(h->steps, sizeof(long) * (size_t)bigger);
        if (s)
            h->steps = s;
        int *e = realloc(h->epochs, sizeof(int) * (size_t)bigger);
        if (e)
            h->epochs = e;
        double *r = realloc(h->rel_errs, sizeof(double) * (size_t)bigger);
        if (r)
            h->rel_errs = r;
        if (!w || !s || !e || !r)
            return lf_fail(err, LF_ERR_NOMEM, "out of memory for %d kernels of history", bigger);
        h->capacity = bigger;
    }
    memcpy(h->weights + taps * (size_t)h->count, weights, sizeof(float) * taps);
    h->steps[h->count] = step;
    h->epochs[h->count] = epoch;
    h->rel_errs[h->count] = rel_err;
    h->count++;
    return LF_OK;
}

/* Keeps snapshots 0, 2, 4, ...: offers 0, 2 spacing, 4 spacing, ... */
static void thin(lf_weight_history *h)
{
    size_t taps = history_taps(h);
    int kept = 0;
    for (int i = 0; i < h->count; i += 2, kept++) {
        memmove(h->weights + taps * (size_t)kept, h->weights + taps * (size_t)i,
                sizeof(float) * taps);
        h->steps[kept] = h->steps[i];
        h->epochs[kept] = h->epochs[i];
        h->rel_errs[kept] = h->rel_errs[i];
    }
    h->count = kept;
    h->spacing *= 2;
}

lf_status lf_weight_history_record(lf_weight_history *h, const float *weights, long step, int epoch,
                                   double rel_err, lf_error *err)
{
    long offer = h->offered++;
    if (offer % h->spacing != 0)
        return LF_OK;
    /* One short of the bound: room stays for the moment the run ends. */
    if (h->count >= h->max_count - 1) {
        thin(h);
        if (offer % h->spacing != 0)
            return LF_OK;
    }
    return lf_weight_history_append(h, weights, step, epoch, rel_err, err);
}

static int has_extension(const char *path, const char *ext)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return 0;
    size_t n = strlen(ext);
    if (strlen(dot) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)dot[i]) != ext[i])
            return 0;
    return 1;
}

static lf_status write_csv(const lf_weight_history *h, const char *path, lf_error *err)
{
    lf_atomic_file file;
    lf_status st = lf_atomic_open(&file, path, err);
    if (st != LF_OK)
        return st;
    FILE *f = file.stream;
    fprintf(f, "step,epoch,rel_err");
    bool bank = h->filters > 1 || h->channels > 1;
    for (int k = 0; k < (bank ? h->filters * h->channels : 1); k++)
        for (int r = 0; r < h->kernel_height; r++)
            for (int c = 0; c < h->kernel_width; c++)
                if (bank)
                    fprintf(f, ",w_%d_%d_%d_%d", k / h->channels, k % h->channels, r, c);
                else
                    fprintf(f, ",w_%d_%d", r, c);
    fputc('\n', f);
    size_t taps = history_taps(h);
    lf_atomic_note(&file);
    for (int i = 0; i < h->count && !ferror(f); i++) {
        errno = 0;
        fprintf(f, "%ld,%d,%.9g", h->steps[i], h->epochs[i], h->rel_errs[i]);
        /* %.9g prints every float exactly enough to read back the same bits. */
        for (size_t t = 0; t < taps; t++)
            fprintf(f, ",%.9g", (double)h->weights[taps * (size_t)i + t]);
        fputc('\n', f);
        lf_atomic_note(&file);
    }
    return lf_atomic_commit(&file, err);
}

lf_status lf_weight_history_write(const lf_weight_history *h, const char *path, lf_error *err)
{
    if (has_extension(path, ".npy")) {
        const float *w = h->weights ? h->weights : (const float *)"";
        if (h->filters > 1 || h->channels > 1) {
            size_t shape[5] = {(size_t)h->count, (size_t)h->filters, (size_t)h->channels,
                               (size_t)h->kernel_height, (size_t)h->kernel_width};
            return lf_npy_write_f32(path, w, shape, 5, err);
        }
        size_t shape[3] = {(size_t)h->count, (size_t)h->kernel_height, (size_t)h->kernel_width};
        return lf_npy_write_f32(path, w, shape, 3, err);
    }
    if (has_extension(path, ".csv"))
        return write_csv(h, path, err);
    return lf_fail(err, LF_ERR_ARGUMENT, "%s: weight history must end in .npy or .csv", path);
}
