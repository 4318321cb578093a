/*
 * file_util.c: whole-file reads and folder walks (POSIX). See file_util.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "file_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "learnfilter/image.h"

/* Folders nested deeper than this are not searched: it stops a symlink loop
 * from recursing until the stack runs out. */
#define LF_MAX_FOLDER_DEPTH 16

lf_status lf_read_file(const char *path, long max_bytes, unsigned char **bytes, size_t *size,
                       lf_error *err)
{
    *bytes = NULL;
    *size = 0;
    struct stat info;
    if (stat(path, &info) != 0)
        return lf_fail(err, errno == ENOENT ? LF_ERR_INPUT : LF_ERR_IO, "%s: %s", path,
                       errno == ENOENT ? "no such file" : strerror(errno));
    if (S_ISDIR(info.st_mode))
        return lf_fail(err, LF_ERR_INPUT, "%s: is a folder, not a file", path);
    if (info.st_size > max_bytes)
        return lf_fail(err, LF_ERR_INPUT, "%s: file is too large (%lld bytes, limit %ld)", path,
                       (long long)info.st_size, max_bytes);
    FILE *f = fopen(path, "rb");
    if (!f)
        return lf_fail(err, LF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t capacity = (size_t)info.st_size + 1;
    unsigned char *buffer = malloc(capacity);
    if (!buffer) {
        fclose(f);
        return lf_fail(err, LF_ERR_NOMEM, "%s: out of memory reading the file", path);
    }
    /* Read until EOF rather than trusting st_size: a pipe or a growing file
     * reports a different size. */
    size_t got = 0;
    for (;;) {
        if (got + 1 >= capacity) {
            if ((long)capacity > max_bytes) {
                free(buffer);
                fclose(f);
                return lf_fail(err, LF_ERR_INPUT, "%s: file is too large (limit %ld bytes)", path,
                               max_bytes);
            }
            size_t bigger = capacity * 2 + 4096;
            unsigned char *grown = realloc(buffer, bigger);
            if (!grown) {
                free(buffer);
                fclose(f);
                return lf_fail(err, LF_ERR_NOMEM, "%s: out of memory reading the file", path);
            }
            buffer = grown;
            capacity = bigger;
        }
        size_t n = fread(buffer + got, 1, capacity - 1 - got, f);
        got += n;
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buffer);
        return lf_fail(err, LF_ERR_IO, "%s: read error", path);
    }
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

static lf_status collect_folder(lf_path_list *list, const char *folder, int depth, lf_error *err)
{
    if (depth > LF_MAX_FOLDER_DEPTH)
        return LF_OK;
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
        if (stat(full, &info) == 0) {
            if (S_ISDIR(info.st_mode)) {
                /* An unreadable subfolder should not stop the rest. */
                lf_error ignored;
                collect_folder(list, full, depth + 1, &ignored);
            } else if (S_ISREG(info.st_mode) && lf_image_path_is_supported(full)) {
                if (path_list_push(list, full) != 0)
                    st = lf_fail(err, LF_ERR_NOMEM, "out of memory listing %s", folder);
            }
        }
        free(full);
    }
    lf_path_list_deinit(&names);
    return st;
}

lf_status lf_collect_image_files(lf_path_list *list, const char *path, lf_error *err)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return lf_fail(err, errno == ENOENT ? LF_ERR_INPUT : LF_ERR_IO, "%s: %s", path,
                       errno == ENOENT ? "no such file or folder" : strerror(errno));
    if (S_ISDIR(info.st_mode))
        return collect_folder(list, path, 0, err);
    if (path_list_push(list, path) != 0)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory");
    return LF_OK;
}

const char *lf_path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
