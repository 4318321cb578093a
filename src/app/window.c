/* window.c: placeholder until the window lands. */
#include <stdio.h>

#include "window.h"

int window_run(const cli_options *options)
{
    (void)options;
    fprintf(stderr, "learnfilter: the window is not available in this build; use --headless\n");
    return EXIT_USAGE;
}
