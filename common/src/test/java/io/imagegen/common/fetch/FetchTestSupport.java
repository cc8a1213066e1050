package io.imagegen.common.fetch;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A local HTTP server on 127.0.0.1 with per-test routes, plus fetchers wired to it. The resolver seam maps test host
 * names to addresses; {@link #PUBLIC_LOCAL} is the one address the fetchers treat as public although it is loopback,
 * so "public.test" can be served by the local server while every other private address is still refused.
 */
final class FetchTestSupport implements AutoCloseable {
  static final InetAddress PUBLIC_LOCAL = address("public.test", new byte[] {127, 0, 0, 1});
  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

  /** One request the server saw. */
  record Hit(String method, String path, String host) {
  }

  final Vertx vertx = Vertx.vertx();
  final List<Hit> hits = new CopyOnWriteArrayList<>();
  final List<String> resolved = new CopyOnWriteArrayList<>();
  private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
  private final List<SafeFetcher> fetchers = new ArrayList<>();
  private final HttpServer server;

  FetchTestSupport() {
    this(new HttpServerOptions());
  }

  FetchTestSupport(HttpServerOptions options) {
    server = await(vertx.createHttpServer(options)
        .requestHandler(request -> {
          hits.add(new Hit(request.method().name(), request.path(), request.getHeader("Host")));
          routes.getOrDefault(request.path(), r -> r.response().setStatusCode(404).end()).handle(request);
        })
        .listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  String local(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** {@code http://<host>:<port><path>}, for host names routed through the resolver seam. */
  String url(String host, String path) {
    return "http://" + host + ":" + port() + path;
  }

  void route(String path, Handler<HttpServerRequest> handler) {
    routes.put(path, handler);
  }

  void servePng(String path) {
    route(path, request -> request.response().putHeader("Content-Type", "image/png").end(io.vertx.core.buffer.Buffer
        .buffer(PNG)));
  }

  /** A fetcher using the real JVM resolver. */
  SafeFetcher fetcher(FetchPolicy policy) {
    return track(new SafeFetcher(vertx, policy));
  }

  /** A fetcher whose DNS is {@code dns}; unknown names fail like NXDOMAIN. */
  SafeFetcher fetcher(FetchPolicy policy, Map<String, List<InetAddress>> dns) {
    return fetcher(policy, host -> {
      List<InetAddress> answer = dns.get(host);
      return answer == null ? Future.failedFuture(new UnknownHostException(host)) : Future.succeededFuture(answer);
    });
  }

  /** A fetcher whose DNS is {@code resolver}; every lookup is recorded in {@link #resolved}. */
  SafeFetcher fetcher(FetchPolicy policy, Function<String, Future<List<InetAddress>>> resolver) {
    return fetcher(policy, resolver, new HttpClientOptions());
  }

  SafeFetcher fetcher(FetchPolicy policy, Function<String, Future<List<InetAddress>>> resolver,
                      HttpClientOptions clientOptions) {
    return track(new SafeFetcher(vertx, policy, host -> {
      resolved.add(host);
      return resolver.apply(host);
    }, address -> address == PUBLIC_LOCAL, clientOptions));
  }

  /** Small limits so tests hit them quickly; public addresses only. */
  static FetchPolicy strictPolicy() {
    return new FetchPolicy(1000, Set.of("image/png", "image/jpeg"), Duration.ofSeconds(2), Duration.ofSeconds(5), 3,
        false);
  }

  static FetchPolicy permissivePolicy() {
    return strictPolicy().withAllowPrivateNetworks(true);
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  /** The failure of {@code future}, which must fail within a few seconds. */
  static Throwable failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return fail("expected a failure but got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return fail("future did not complete: " + e);
    }
  }

  static InetAddress address(String name, byte[] bytes) {
    try {
      return InetAddress.getByAddress(name, bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private SafeFetcher track(SafeFetcher fetcher) {
    fetchers.add(fetcher);
    return fetcher;
  }

  @Override
  public void close() {
    fetchers.forEach(SafeFetcher::close);
    await(vertx.close());
  }
}
