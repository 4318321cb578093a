/*
 * file_util.h: reading whole files and walking folders, for the core only.
 *
 * Kept out of the public headers: front ends load images and kernels through
 * image.h, kernel.h and dataset.h, which use these.
 */
#ifndef LEARNFILTER_FILE_UTIL_H
#define LEARNFILTER_FILE_UTIL_H

#include <stddef.h>

#include "learnfilter/error.h"

/* Reads the whole file at path into a new buffer, with a NUL after the last
 * byte so text parsers may treat it as a string. Fails with LF_ERR_INPUT for
 * a missing file, a folder, or one larger than max_bytes, and LF_ERR_IO when
 * it cannot be read. The caller frees *bytes. */
lf_status lf_read_file(const char *path, long max_bytes, unsigned char **bytes, size_t *size,
                       lf_error *err);

/* A list of paths the caller owns. */
typedef struct lf_path_list {
    char **paths;
    int count;
    int capacity;
} lf_path_list;

void lf_path_list_deinit(lf_path_list *list);

/* Appends path if it is a file, or every PNG/JPEG under it, subfolders
 * included and sorted by name so the order is the same on every machine,
 * if it is a folder. LF_ERR_INPUT when path does not exist. */
lf_status lf_collect_image_files(lf_path_list *list, const char *path, lf_error *err);

/* The part of path after the last '/'. */
const char *lf_path_basename(const char *path);

#endif
