package io.imagegen.fake;

import java.util.Random;

/** The current {@link Behaviour} plus the state its failure knobs need (request counter, seeded Random). */
final class Faults {

    /** What to do with one generation request, decided once so all its steps agree. */
    record Decision(Behaviour behaviour, boolean fail) {
    }

    private Behaviour behaviour = Behaviour.normal();
    private long generations;
    private Random random = new Random(behaviour.seed());

    synchronized Behaviour current() {
        return behaviour;
    }

    /** Replaces the behaviour and restarts counting, so "fail the first N" means the next N. */
    synchronized void set(Behaviour b) {
        behaviour = b;
        generations = 0;
        random = new Random(b.seed());
    }

    /**
     * Counts one generation request (auth already passed) and decides whether it fails. failStatus
     * alone fails everything; with failTimes the first N fail; with errorRate failures are drawn after
     * those N.
     */
    synchronized Decision next() {
        Behaviour b = behaviour;
        long n = generations++;
        if (b.failStatus() == 0) {
            return new Decision(b, false);
        }
        boolean fail;
        if (n < b.failTimes()) {
            fail = true;
        } else if (b.errorRate() > 0) {
            fail = random.nextDouble() < b.errorRate();
        } else {
            fail = b.failTimes() == 0;
        }
        return new Decision(b, fail);
    }
}
