/*
 * scripted.h: the window's scripted input (--hover, --press): the mouse
 * placed and keys pressed as a user would, through SDL's event queue, so a
 * screenshot of the hover read-out or of an explained step can be made
 * from the command line and checked by the tests.
 */
#ifndef LEARNFILTER_SCRIPTED_H
#define LEARNFILTER_SCRIPTED_H

#include <stdbool.h>

#include "cli.h"

#define SCRIPTED_KEY_NAME_MAX 32 /* longest key name taken from --press */

/* Pushes this frame's events: at frame 0 the mouse motion to --hover, and
 * from frame 1 on the next key of --press, one a frame. A key name SDL
 * does not know is skipped with a warning on stderr. */
void scripted_push_events(const cli_options *o, long frame);

#endif
