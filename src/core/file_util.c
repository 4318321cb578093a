/*
 * file_util.c: whole-file reads and folder walks (POSIX). See file_util.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "file_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learnfilter/image.h"

/* What a path that is not a regular file is, for messages. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "an unknown kind of file";
}

static lf_status refuse_kind(const char *path, mode_t mode, lf_error *err)
{
    if (S_ISDIR(mode))
        return lf_fail(err, LF_ERR_INPUT, "%s: is a folder, not a file", path);
    return lf_fail(err, LF_ERR_INPUT, "%s: is %s, not a regular file", path, file_kind(mode));
}

lf_status lf_read_file(const char *path, long max_bytes, unsigned char **bytes, size_t *size,
                       lf_error *err)
{
    *bytes = NULL;
    *size = 0;
    /* stat first, so a device is never opened (opening one can have side
     * effects); then open without blocking, because opening a FIFO for
     * reading waits for a writer forever; then fstat what was opened, in
     * case the name was replaced in between. */
    struct stat info;
    if (stat(path, &info) != 0)
        return lf_fail(err, errno == ENOENT ? LF_ERR_INPUT : LF_ERR_IO, "%s: %s", path,
                       errno == ENOENT ? "no such file" : strerror(errno));
    if (!S_ISREG(info.st_mode))
        return refuse_kind(path, info.st_mode, err);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return lf_fail(err, LF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &info) != 0) {
        int e = errno;
        close(fd);
        return lf_fail(err, LF_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    if (!S_ISREG(info.st_mode)) {
        close(fd);
        return refuse_kind(path, info.st_mode, err);
    }
    if (info.st_size > max_bytes) {
        close(fd);
        return lf_fail(err, LF_ERR_INPUT, "%s: file is too large (%lld bytes, limit %ld)", path,
                       (long long)info.st_size, max_bytes);
    }
    size_t capacity = (size_t)info.st_size + 1;
    unsigned char *buffer = malloc(capacity);
    if (!buffer) {
        close(fd);
        return lf_fail(err, LF_ERR_NOMEM, "%s: out of memory reading the file", path);
    }
    /* Read until EOF rather than trusting st_size: a growing file reports a
     * different size. */
    size_t got = 0;
    for (;;) {
        if (got + 1 >= capacity) {
            if ((long)capacity > max_bytes) {
                free(buffer);
                close(fd);
                return lf_fail(err, LF_ERR_INPUT, "%s: file is too large (limit %ld bytes)", path,
                               max_bytes);
            }
            size_t bigger = capacity * 2 + 4096;
            unsigned char *grown = realloc(buffer, bigger);
            if (!grown) {
                free(buffer);
                close(fd);
                return lf_fail(err, LF_ERR_NOMEM, "%s: out of memory reading the file", path);
            }
            buffer = grown;
            capacity = bigger;
        }
        ssize_t n = read(fd, buffer + got, capacity - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buffer);
            close(fd);
            return lf_fail(err, LF_ERR_IO, "%s: read error: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buffer[got] = 0;
    *bytes = buffer;
    *size = got;
    return LF_OK;
}

void lf_path_list_deinit(lf_path_list *list)
{
    if (!list)
        return;
    for (int i = 0; i < list->count; i++)
        free(list->paths[i]);
    free(list->paths);
    list->paths = NULL;
    list->count = list->capacity = 0;
}

static int path_list_push(lf_path_list *list, const char *path)
{
    if (list->count == list->capacity) {
        int bigger = list->capacity ? list->capacity * 2 : 64;
        char **grown = realloc(list->paths, sizeof(char *) * (size_t)bigger);
        if (!grown)
            return -1;
        list->paths = grown;
        list->capacity = bigger;
    }
    size_t n = strlen(path) + 1;
    char *copy = malloc(n);
    if (!copy)
        return -1;
    memcpy(copy, path, n);
    list->paths[list->count++] = copy;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ====================================================== the image walk */

struct lf_file_id {
    dev_t device;
    ino_t inode;
    bool used;
};

void lf_image_walk_init(lf_image_walk *walk) { memset(walk, 0, sizeof *walk); }

void lf_image_walk_deinit(lf_image_walk *walk)
{
    if (!walk)
        return;
    free(walk->seen);
    memset(walk, 0, sizeof *walk);
}

static size_t file_id_hash(dev_t device, ino_t inode, size_t capacity)
{
    uint64_t h = (uint64_t)inode * 0x9e3779b97f4a7c15ull ^ (uint64_t)device * 0xc2b2ae3d27d4eb4full;
    return (size_t)(h ^ (h >> 29)) & (capacity - 1);
}

/* Adds (device, inode) to the set. 1 when it was new, 0 when seen before,
 * -1 when out of memory. */
static int walk_mark(lf_image_walk *walk, const struct stat *info)
{
    if (2 * (walk->seen_count + 1) > walk->seen_capacity) {
        size_t capacity = walk->seen_capacity ? walk->seen_capacity * 2 : 64;
        struct lf_file_id *table = calloc(capacity, sizeof *table);
        if (!table)
            return -1;
        for (size_t i = 0; i < walk->seen_capacity; i++) {
            const struct lf_file_id *id = &walk->seen[i];
            if (!id->used)
                continue;
            size_t j = file_id_hash(id->device, id->inode, capacity);
            while (table[j].used)
                j = (j + 1) & (capacity - 1);
            table[j] = *id;
        }
        free(walk->seen);
        walk->seen = table;
        walk->seen_capacity = capacity;
    }
    size_t j = file_id_hash(info->st_dev, info->st_ino, walk->seen_capacity);
    while (walk->seen[j].used) {
        if (walk->seen[j].device == info->st_dev && walk->seen[j].inode == info->st_ino)
            return 0;
        j = (j + 1) & (walk->seen_capacity - 1);
    }
    walk->seen[j] = (struct lf_file_id){.device = info->st_dev, .inode = info->st_ino, .used = true};
    walk->seen_count++;
    return 1;
}

static lf_status collect_folder(lf_image_walk *walk, lf_path_list *list, const char *folder,
                                int depth, lf_error *err)
{
    if (depth > LF_MAX_FOLDER_DEPTH) {
        if (walk->deep_folders++ == 0)
            snprintf(walk->first_deep, sizeof walk->first_deep, "%s", folder);
        return LF_OK;
    }
    DIR *dir = opendir(folder);
    if (!dir)
        return lf_fail(err, LF_ERR_IO, "%s: cannot open folder: %s", folder, strerror(errno));
    /* Gather the names first and sort them: readdir's order depends on the
     * file system, and the dataset must be the same on every machine. */
    lf_path_list names = {0};
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') /* ".", "..", and hidden files */
            continue;
        if (path_list_push(&names, entry->d_name) != 0) {
            closedir(dir);
            lf_path_list_deinit(&names);
            return lf_fail(err, LF_ERR_NOMEM, "out of memory listing %s", folder);
        }
    }
    closedir(dir);
    if (names.count > 1)
        qsort(names.paths, (size_t)names.count, sizeof(char *), compare_names);
    lf_status st = LF_OK;
    size_t folder_len = strlen(folder);
    for (int i = 0; i < names.count && st == LF_OK; i++) {
        size_t n = folder_len + 1 + strlen(names.paths[i]) + 1;
        char *full = malloc(n);
        if (!full) {
            st = lf_fail(err, LF_ERR_NOMEM, "out of memory listing %s", folder);
            break;
        }
        snprintf(full, n, "%s%s%s", folder,
                 folder_len && folder[folder_len - 1] == '/' ? "" : "/", names.paths[i]);
        struct stat info;
        /* stat, not lstat: a link to a folder or a photo elsewhere is
         * followed, once; the (device, inode) set stops it coming back. */
        bool wanted = stat(full, &info) == 0 &&
                      (S_ISDIR(info.st_mode) ||
                       (S_ISREG(info.st_mode) && lf_image_path_is_supported(full)));
        int fresh = wanted ? walk_mark(walk, &info) : 0;
        if (fresh < 0) {
            st = lf_fail(err, LF_ERR_NOMEM, "out of memory listing %s", folder);
        } else if (wanted && fresh == 0) {
            walk->repeats++;
        } else if (wanted && S_ISDIR(info.st_mode)) {
            /* An unreadable subfolder should not stop the rest. */
            lf_error ignored;
            lf_status sub = collect_folder(walk, list, full, depth + 1, &ignored);
            if (sub == LF_ERR_NOMEM)
                st = lf_fail(err, LF_ERR_NOMEM, "%s", ignored.message);
        } else if (wanted && path_list_push(list, full) != 0) {
            st = lf_fail(err, LF_ERR_NOMEM, "out of memory listing %s", folder);
        }
        free(full);
    }
    lf_path_list_deinit(&names);
    return st;
}

lf_status lf_image_walk_collect(lf_image_walk *walk, lf_path_list *list, const char *path,
                                lf_error *err)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return lf_fail(err, errno == ENOENT ? LF_ERR_INPUT : LF_ERR_IO, "%s: %s", path,
                       errno == ENOENT ? "no such file or folder" : strerror(errno));
    int fresh = walk_mark(walk, &info);
    if (fresh < 0)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory");
    if (fresh == 0) {
        walk->repeats++;
        return LF_OK;
    }
    if (S_ISDIR(info.st_mode))
        return collect_folder(walk, list, path, 0, err);
    /* A file named on its own is taken whatever its name or kind: loading
     * it says what is wrong with it (a FIFO, not an image, ...). */
    if (path_list_push(list, path) != 0)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory");
    return LF_OK;
}

const char *lf_path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
