package io.imagegen.common.fetch;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Fetches user-supplied URLs (image inputs, webhook targets) without letting them reach our own network: every hop's
 * host is resolved once, every resolved address must be public (or loopback, when the policy allows it for
 * development), and the connection goes to exactly the vetted address so DNS cannot be re-pointed in between.
 * Futures complete on the caller's context; nothing blocks an event loop.
 */
public final class SafeFetcher implements AutoCloseable {
  /** A successful GET: the URL that finally answered 2xx, its media type (lower case, no parameters), the body. */
  public record Fetched(String finalUrl, String contentType, Buffer body) {
  }

  /** The answer to a POST: its status and its {@code Retry-After} header ({@code null} when absent). */
  public record Posted(int statusCode, String retryAfter) {
  }

  /**
   * A streamed GET: the URL that answered, its status and {@code Retry-After} header; for a 2xx, the bytes written
   * and the first {@link #HEAD_BYTES} of them (enough to tell an image format), else 0 and empty.
   */
  public record Streamed(String finalUrl, int statusCode, String retryAfter, long size, Buffer head) {
  }

  /** How much of a streamed body {@link Streamed#head()} keeps. */
  public static final int HEAD_BYTES = 16;

  private static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);
  private static final String USER_AGENT = "imagegen-queue-fetcher/1";

  private final Vertx vertx;
  private final FetchPolicy policy;
  private final Function<String, Future<List<InetAddress>>> resolver;
  private final Predicate<InetAddress> treatAsPublic;
  private final HttpClient client;
  private final ResponseBodies bodies;

  /** A fetcher enforcing {@code policy}, resolving names with the JVM resolver on a worker thread. */
  public SafeFetcher(Vertx vertx, FetchPolicy policy) {
    this(vertx, policy, null, address -> false, new HttpClientOptions());
  }

  /**
   * Test seam. {@code resolver} (null = JVM resolver) replaces DNS and must complete on the calling context;
   * addresses matching {@code treatAsPublic} pass the address rules, so a test can serve a "public" host from
   * 127.0.0.1 while every other private address is still refused.
   */
  SafeFetcher(Vertx vertx, FetchPolicy policy, Function<String, Future<List<InetAddress>>> resolver,
              Predicate<InetAddress> treatAsPublic, HttpClientOptions clientOptions) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.resolver = resolver != null ? resolver : this::resolveWithJvm;
    this.treatAsPublic = Objects.requireNonNull(treatAsPublic, "treatAsPublic");
    this.bodies = new ResponseBodies(policy);
    this.client = vertx.createHttpClient(new HttpClientOptions(clientOptions)
        .setConnectTimeout((int) policy.connectTimeout().toMillis())
        // A compressed body could inflate past maxBytes after we counted it.
        .setDecompressionSupported(false)
        .setVerifyHost(true));
  }

  /** GETs {@code url}, following up to {@code maxRedirects} redirects, each hop checked like the first. */
  public Future<Fetched> get(String url) {
    return run(call -> hop(call, FetchTarget.parse(url), 0, null, bodies::collect));
  }

  /**
   * GETs {@code url} like {@link #get}, with two differences. URLs on {@code trustedHost} (a host the operator
   * configured, such as a vendor's base URL; {@code null} for none) are not held to the address rules; every other
   * host still is, redirects included. And a 2xx body is never held in memory: it is written to {@code sink} as it
   * arrives, reading pausing while {@code sink} is full, counted against {@code maxBytes} while reading whatever the
   * declared length, and {@code sink} is ended with it. Any other status completes at once, its body unread. On
   * failure {@code sink} may hold part of the body: the caller discards it.
   */
  public Future<Streamed> stream(String url, String trustedHost, WriteStream<Buffer> sink) {
    Objects.requireNonNull(sink, "sink");
    return run(call -> hop(call, FetchTarget.parse(url), 0, trustedHost, (target, response) -> {
      if (response.statusCode() / 100 != 2) {
        Streamed answer = new Streamed(target.uri().toString(), response.statusCode(),
            response.getHeader("Retry-After"), 0, Buffer.buffer());
        call.abandon();
        return Future.succeededFuture(answer);
      }
      return bodies.stream(target, response, sink);
    }));
  }

  /**
   * Checks {@code url} as far as is possible without DNS (syntax, scheme, credentials, numeric forms and an IP
   * literal in a refused range; loopback passes when {@code allowPrivateNetworks}), so that a URL stored for later
   * use can be refused when it is submitted; throws {@link InvalidRequestException} ({@code invalid_url}). Host names
   * are still vetted on every fetch.
   */
  public static void precheck(String url, boolean allowPrivateNetworks) {
    FetchTarget target = FetchTarget.parse(url);
    if (!AddressRules.isIpLiteral(target.host())) {
      return;
    }
    InetAddress address;
    try {
      // A literal is parsed, never looked up.
      address = InetAddress.getByName(target.host());
    } catch (UnknownHostException e) {
      throw FetchTarget.invalid("URL host " + target.host() + " is not a valid IP address");
    }
    String reason = AddressRules.blockedReason(address);
    if (reason != null && !(allowPrivateNetworks && address.isLoopbackAddress())) {
      throw literalRefusal(target, reason);
    }
  }

  /**
   * POSTs {@code body} with {@code headers} to {@code url} (same address rules) and yields the answer, whatever its
   * status. Redirects are returned, not followed; the response body is not read.
   */
  public Future<Posted> post(String url, Map<String, String> headers, Buffer body) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    return run(call -> {
      FetchTarget target = FetchTarget.parse(url);
      call.target(target);
      return vet(target, null)
          .compose(address -> {
            RequestOptions options = requestOptions(HttpMethod.POST, target, address);
            headers.forEach((name, value) -> {
              // Host and framing belong to the vetted target and the body, not to the caller.
              if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")
                  && !name.equalsIgnoreCase("transfer-encoding")) {
                options.putHeader(name, value);
              }
            });
            return call.open(options);
          })
          .compose(request -> request.send(body))
          .map(response -> {
            // Only the status matters; dropping the connection beats draining an arbitrarily long body.
            Posted posted = new Posted(response.statusCode(), response.getHeader("Retry-After"));
            call.abandon();
            return posted;
          });
    });
  }

  private <T> Future<T> hop(FetchCall<T> call, FetchTarget target, int redirects, String trustedHost,
      BiFunction<FetchTarget, HttpClientResponse, Future<T>> reader) {
    call.target(target);
    return vet(target, trustedHost)
        .compose(address -> call.open(requestOptions(HttpMethod.GET, target, address)
            .putHeader(HttpHeaders.ACCEPT, policy.allowedContentTypes().isEmpty()
                ? "*/*" : String.join(", ", new TreeSet<>(policy.allowedContentTypes())))))
        .compose(HttpClientRequest::send)
        .compose(response -> {
          String location = response.getHeader(HttpHeaders.LOCATION);
          if (!REDIRECT_STATUSES.contains(response.statusCode()) || location == null) {
            return reader.apply(target, response);
          }
          call.abandon();
          if (redirects >= policy.maxRedirects()) {
            return Future.failedFuture(FetchTarget.invalid("URL redirected more than " + policy.maxRedirects()
                + " times (maxRedirects is " + policy.maxRedirects() + ")"));
          }
          return hop(call, target.redirect(location), redirects + 1, trustedHost, reader);
        });
  }

  private Future<InetAddress> vet(FetchTarget target, String trustedHost) {
    Future<List<InetAddress>> resolved;
    try {
      resolved = resolver.apply(target.host());
    } catch (RuntimeException e) {
      resolved = Future.failedFuture(e);
    }
    return resolved.transform(ar -> {
      if (ar.failed() && !(ar.cause() instanceof UnknownHostException)) {
        return Future.failedFuture(ar.cause());
      }
      List<InetAddress> addresses = ar.failed() ? null : ar.result();
      if (addresses == null || addresses.isEmpty()) {
        return Future.failedFuture(refusal(target, null));
      }
      // The vendor's own configured host is trusted as the operator configured it (docs/architecture.md).
      if (!target.host().equalsIgnoreCase(trustedHost)) {
        // Every answer must be public: a mixed answer is how rebinding attacks hide the private one.
        for (InetAddress address : addresses) {
          String reason = treatAsPublic.test(address) ? null : AddressRules.blockedReason(address);
          if (reason != null && !(policy.allowPrivateNetworks() && address.isLoopbackAddress())) {
            return Future.failedFuture(refusal(target, reason));
          }
        }
      }
      return Future.succeededFuture(addresses.get(0));
    });
  }

  /**
   * The refusal of a vetted host. A literal's own range is no secret; for a name, the message is the same whether it
   * is unknown or resolves to a refused range, and never says what it resolves to: the caller must not learn our
   * internal DNS from it (docs/api.md).
   */
  private static InvalidRequestException refusal(FetchTarget target, String reason) {
    if (reason != null && AddressRules.isIpLiteral(target.host())) {
      return literalRefusal(target, reason);
    }
    return FetchTarget.invalid("URL host " + target.host() + " could not be resolved to public internet addresses; "
        + "only public internet addresses may be fetched");
  }

  private static InvalidRequestException literalRefusal(FetchTarget target, String reason) {
    return FetchTarget.invalid(target.host() + " is a " + reason + " address; only public internet addresses may be "
        + "fetched");
  }

  private RequestOptions requestOptions(HttpMethod method, FetchTarget target, InetAddress address) {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        // Connect to the address we vetted and never re-resolve: that closes the DNS-rebinding window...
        .setServer(SocketAddress.inetSocketAddress(target.port(), address.getHostAddress()))
        // ...while the Host header, SNI and certificate check still use the name from the URL.
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.ssl())
        .setURI(target.requestUri())
        .setFollowRedirects(false)
        .setConnectTimeout(policy.connectTimeout().toMillis())
        .putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
    if (target.host().indexOf(':') >= 0) {
      // Vert.x writes an IPv6 host unbracketed ("::1:8080"); the Host header needs "[::1]:8080".
      String port = target.defaultPort() ? "" : ":" + target.port();
      options.putHeader(HttpHeaders.HOST, "[" + target.host() + "]" + port);
    }
    return options;
  }

  private Future<List<InetAddress>> resolveWithJvm(String host) {
    // getAllByName blocks on DNS; unordered so one slow lookup does not queue the others behind it.
    return vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false);
  }

  /** Runs {@code work} on the caller's context under the overall deadline; the result completes there too. */
  private <T> Future<T> run(Function<FetchCall<T>, Future<T>> work) {
    Context context = vertx.getOrCreateContext();
    FetchCall<T> call = new FetchCall<>(vertx, client, policy);
    context.runOnContext(v -> call.start(work));
    return Future.fromCompletionStage(call.result(), context);
  }

  /** Closes the underlying HTTP client; in-flight fetches fail. */
  @Override
  public void close() {
    client.close();
  }
}
