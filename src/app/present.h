/*
 * present.h: the words of the presentation layout and of movies.
 *
 * The presentation layout (layout_compute_present) heads the window with
 * a caption a class reads from the back of the room, "Step 30,695 ·
 * error 0.99%", and one plain status line. Numbers there have fixed
 * decimals and never e-notation, so digits do not jump between frames.
 * The reel (reel.h) captions each of its frames with the same words, so
 * a test can read a frame's step and error back from its caption.
 */
#ifndef LEARNFILTER_PRESENT_H
#define LEARNFILTER_PRESENT_H

#define PRESENT_ERROR_DECIMALS 2 /* the kernel error in percent: "12.34%" */
#define PRESENT_LOSS_DECIMALS 6  /* the training loss: "0.001234" */

/* "Step 30,695 · error 0.99%" (an em dash for an error not known). */
void present_caption(char *out, int size, long step, double rel_err);

/* v with exactly decimals decimals and a true minus sign, never
 * e-notation; an em dash when not finite. */
void present_fixed(char *out, int size, double v, int decimals);

/* The decimals that show a learning rate with two significant digits:
 * 0.010, 0.0032, 0.00010. */
int present_rate_decimals(double rate);

#endif
