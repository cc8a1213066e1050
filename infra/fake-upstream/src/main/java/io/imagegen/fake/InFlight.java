package io.imagegen.fake;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Counts vendor calls (every request but GETs: submits, generations, edits) between their arrival and the end of
 * their answer, and the most seen at once: what a deployment-wide concurrency limit must keep in bounds.
 */
final class InFlight {
    private int now;
    private int max;

    /** First route for vendor traffic: counts the call until its response ends or its connection drops. */
    void handle(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.GET) {
            synchronized (this) {
                now++;
                max = Math.max(max, now);
            }
            ctx.addEndHandler(ended -> {
                synchronized (this) {
                    now--;
                }
            });
        }
        ctx.next();
    }

    synchronized int now() {
        return now;
    }

    synchronized int max() {
        return max;
    }

    /** Forgets the maximum; calls still running count on. */
    synchronized void resetMax() {
        max = now;
    }
}
