package io.imagegen.fake;

import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Images served under {@code /files/{id}.png}: what vendor result URLs point at, so that downloading
 * and re-hosting can be tested against this same server.
 */
final class FileStore {
    /** What {@link Behaviour#resultNotImage()} serves instead of the image: a login page of a storage proxy. */
    private static final byte[] NOT_AN_IMAGE = "<!doctype html><html><body>Sign in</body></html>"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** Entries share the cached PNG arrays, so keeping many costs little; the bound is for long runs. */
    private static final int MAX_FILES = 20_000;

    private final Map<String, byte[]> files = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX_FILES;
        }
    };

    private final Faults faults;

    FileStore(Faults faults) {
        this.faults = faults;
    }

    /**
     * Stores the bytes and returns an absolute URL on the host the client used to reach us, or on the behaviour's
     * {@code resultUrlBase}; with {@code resultNotImage} the URL serves an HTML page instead.
     */
    synchronized String put(RoutingContext ctx, byte[] png) {
        Behaviour b = faults.current();
        String id = UUID.randomUUID().toString();
        files.put(id, b.resultNotImage() ? NOT_AN_IMAGE : png);
        return (b.resultUrlBase() == null ? origin(ctx) : b.resultUrlBase()) + "/files/" + id + ".png";
    }

    synchronized byte[] get(String id) {
        return files.get(id);
    }

    synchronized void clear() {
        files.clear();
    }

    /**
     * The request's own authority, so URLs work from docker-compose service names as well as from
     * 127.0.0.1 in tests.
     */
    static String origin(RoutingContext ctx) {
        var authority = ctx.request().authority();
        String host = authority == null ? "127.0.0.1" : authority.host();
        int port = authority == null || authority.port() < 0 ? ctx.request().localAddress().port() : authority.port();
        return "http://" + host + ":" + port;
    }
}
