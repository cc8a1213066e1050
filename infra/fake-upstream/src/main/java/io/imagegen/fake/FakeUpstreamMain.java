package io.imagegen.fake;

import java.util.concurrent.CountDownLatch;

/** Runs the fake upstream as a process (docker-compose, benchmarks); port from {@code FAKE_UPSTREAM_PORT}. */
public final class FakeUpstreamMain {

    /** Default port when {@code FAKE_UPSTREAM_PORT} is unset. */
    public static final int DEFAULT_PORT = 8090;

    private FakeUpstreamMain() {
    }

    /** Starts the server and blocks until the JVM is asked to stop. */
    public static void main(String[] args) throws InterruptedException {
        // Containers have no display; AWT must not try to find one when encoding PNGs.
        System.setProperty("java.awt.headless", "true");
        String env = System.getenv("FAKE_UPSTREAM_PORT");
        int port = env == null || env.isBlank() ? DEFAULT_PORT : Integer.parseInt(env.trim());
        FakeUpstream upstream = FakeUpstream.start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            upstream.close();
            stopped.countDown();
        }, "fake-upstream-shutdown"));
        System.out.println("fake upstream listening on " + upstream.baseUrl() + " (key: " + FakeUpstream.API_KEY + ")");
        stopped.await();
    }
}
