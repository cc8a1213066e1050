package io.imagegen.fake;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Sliding one-second window per key: exact enough to make a too-eager poller see 429s. */
final class QpsLimiter {

    private static final long WINDOW_NANOS = 1_000_000_000L;
    private final Map<String, Deque<Long>> windows = new HashMap<>();

    /** True when this call fits within {@code qps} for {@code key}; {@code qps <= 0} means unlimited. */
    synchronized boolean tryAcquire(String key, int qps) {
        if (qps <= 0) {
            return true;
        }
        long now = System.nanoTime();
        Deque<Long> w = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!w.isEmpty() && now - w.peekFirst() >= WINDOW_NANOS) {
            w.removeFirst();
        }
        if (w.size() >= qps) {
            return false; // rejected calls do not count, as with a token bucket
        }
        w.addLast(now);
        return true;
    }

    synchronized void clear() {
        windows.clear();
    }
}
