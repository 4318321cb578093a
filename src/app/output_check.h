/*
 * output_check.h: refusing a bad output path before any work is done.
 *
 * Every file the program writes is named on the command line (--weights-out,
 * --gif, --video, --dump-patches and the three files beside it, --screenshot,
 * --output). Before a photograph is loaded, each is refused when it
 *   - is one of the run's inputs (the --kernel file, an --images file, or an
 *     image inside an --images folder), compared by device and inode, so a
 *     hard link, another spelling of the same file or a path through a
 *     symbolic link to a folder is caught too;
 *   - names an existing folder, a FIFO, a device or anything else that is
 *     not a regular file;
 *   - is a symbolic link: outputs are replaced through a temporary file and
 *     a rename, which would replace the link itself, not what it points to;
 *   - is also another output of the same run: the same name in the same
 *     folder, however the folder is reached (a symbolic link to it, "..",
 *     another spelling), or a hard link to the same file;
 *   - cannot be created (a missing or read-only folder).
 * The headless run, --apply and the window all call output_check, so the
 * rules and the messages are the same everywhere. Each message names the
 * option and the path.
 */
#ifndef LEARNFILTER_OUTPUT_CHECK_H
#define LEARNFILTER_OUTPUT_CHECK_H

#include <stddef.h>

#include "cli.h"
#include "learnfilter/error.h"

/* Checks every output options names against its inputs, as above. LF_OK,
 * or: LF_ERR_ARGUMENT when two outputs share a name (a command-line
 * mistake, exit 2); LF_ERR_INPUT when an output is an input, a folder, a
 * non-regular file or a link; LF_ERR_IO when it cannot be written (both
 * exit 3). Nothing is left behind. */
lf_status output_check(const cli_options *options, lf_error *err);

/* The files --dump-patches F.npy writes beside F.npy: F-order.npy,
 * F-init.npy and F-target.npy. */
#define OUTPUT_DUMP_SIBLINGS 3
extern const char *const output_dump_suffixes[OUTPUT_DUMP_SIBLINGS];

/* path with its .npy extension (if any) replaced by suffix, cut to size. */
void output_sibling_path(char *out, size_t size, const char *path, const char *suffix);

#endif
