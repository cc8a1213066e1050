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

    /** Entries share the cached PNG arrays, so keeping many costs little; the bound is for long runs. */
    private static final int MAX_FILES = 20_000;

    private final Map<String, byte[]> files = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX_FILES;
        }
    };

    /** Stores the bytes and returns an absolute URL on the host the client used to reach us. */
    synchronized String put(RoutingContext ctx, byte[] png) {
        String id = UUID.randomUUID().toString();
        files.put(id, png);
        return origin(ctx) + "/files/" + id + ".png";
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
