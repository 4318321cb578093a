/*
 * stop_clock.c: a time limit read at a cost that follows the steps' cost.
 * See stop_clock.h.
 */
#include "stop_clock.h"

void stop_clock_start(stop_clock *c, double limit, double now)
{
    c->start = now;
    c->limit = limit;
    c->last_read = now;
    c->interval = 1;
    c->countdown = 1;
}

bool stop_clock_due(stop_clock *c)
{
    return --c->countdown <= 0;
}

bool stop_clock_read(stop_clock *c, double now)
{
    double per_step = (now - c->last_read) / (double)c->interval;
    long next = per_step > 0 ? (long)(STOP_CLOCK_PERIOD / per_step) : STOP_CLOCK_MAX_INTERVAL;
    /* Growing at most twofold keeps a sudden slow step from hiding behind
     * an interval learnt on fast ones. */
    if (next > 2 * c->interval)
        next = 2 * c->interval;
    if (next > STOP_CLOCK_MAX_INTERVAL)
        next = STOP_CLOCK_MAX_INTERVAL;
    if (next < 1)
        next = 1;
    c->interval = next;
    c->countdown = next;
    c->last_read = now;
    return c->limit > 0 && now - c->start >= c->limit;
}
