package io.imagegen.common.fetch;

import static io.imagegen.common.fetch.FetchTestSupport.PNG;
import static io.imagegen.common.fetch.FetchTestSupport.await;
import static io.imagegen.common.fetch.FetchTestSupport.failure;
import static io.imagegen.common.fetch.FetchTestSupport.permissivePolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.UpstreamException;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link SafeFetcher} does with real HTTP answers from a local server (private networks allowed). */
class SafeFetcherTest {
  private final FetchTestSupport support = new FetchTestSupport();

  @AfterEach
  void stop() {
    support.close();
  }

  private SafeFetcher fetcher() {
    return support.fetcher(permissivePolicy());
  }

  /** Sends the head and {@code bytes} zero bytes, then never ends; completes when the client drops the connection. */
  private Promise<Void> hangAfter(HttpServerRequest request, int bytes, String contentLength) {
    Promise<Void> closed = Promise.promise();
    request.connection().closeHandler(v -> closed.tryComplete());
    var response = request.response().putHeader("Content-Type", "image/png");
    if (contentLength == null) {
      response.setChunked(true);
    } else {
      response.putHeader("Content-Length", contentLength);
    }
    response.write(Buffer.buffer(new byte[bytes]));
    return closed;
  }

  @Test
  void aPngFromALocalServerIsFetchedWhenPrivateNetworksAreAllowed() {
    support.servePng("/image.png");

    SafeFetcher.Fetched fetched = await(fetcher().get(support.local("/image.png")));

    assertThat(fetched.finalUrl()).isEqualTo(support.local("/image.png"));
    assertThat(fetched.contentType()).isEqualTo("image/png");
    assertThat(fetched.body().getBytes()).isEqualTo(PNG);
  }

  @Test
  void theContentTypeIsMatchedCaseInsensitivelyWithoutItsParameters() {
    support.route("/image", r -> r.response().putHeader("Content-Type", "IMAGE/JPEG; charset=binary").end("jpeg"));

    assertThat(await(fetcher().get(support.local("/image"))).contentType()).isEqualTo("image/jpeg");
  }

  @Test
  void aContentTypeOutsideTheAllowedSetIsRefusedNamingWhatWasReceived() {
    support.route("/page", r -> r.response().putHeader("Content-Type", "text/html; charset=utf-8").end("<html>"));

    Throwable refused = failure(fetcher().get(support.local("/page")));

    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("URL returned content type text/html; expected one of image/jpeg, image/png");
  }

  @Test
  void relativeRedirectsAreFollowedAndTheFinalUrlReported() {
    support.route("/old/image", r -> r.response().setStatusCode(301).putHeader("Location", "../new.png").end());
    support.route("/new.png", r -> r.response().setStatusCode(302).putHeader("Location", "/final.png?v=2").end());
    support.servePng("/final.png");

    SafeFetcher.Fetched fetched = await(fetcher().get(support.local("/old/image")));

    assertThat(fetched.finalUrl()).isEqualTo(support.local("/final.png?v=2"));
    assertThat(support.hits).extracting(FetchTestSupport.Hit::path).containsExactly("/old/image", "/new.png",
        "/final.png");
  }

  @Test
  void followingMoreThanMaxRedirectsFailsNamingTheLimit() {
    support.route("/loop", r -> r.response().setStatusCode(307).putHeader("Location", "/loop").end());

    Throwable refused = failure(fetcher().get(support.local("/loop")));

    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("URL redirected more than 3 times (maxRedirects is 3)");
    assertThat(support.hits).hasSize(4);
  }

  @Test
  void aDeclaredContentLengthOverTheLimitIsRefusedWithoutReadingTheBody() {
    CompletableFuture<Promise<Void>> closed = new CompletableFuture<>();
    support.route("/huge", r -> closed.complete(hangAfter(r, 10, "5000000")));

    Throwable refused = failure(fetcher().get(support.local("/huge")));

    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("URL returned 5000000 bytes, over the limit of 1000 bytes (maxBytes)");
    await(closed.join().future());
  }

  @Test
  void aChunkedBodyIsCutOffOnceItGrowsPastTheLimit() {
    CompletableFuture<Promise<Void>> closed = new CompletableFuture<>();
    // 1200 bytes and then silence: only counting the stream (not waiting for its end) can fail this quickly.
    support.route("/stream", r -> closed.complete(hangAfter(r, 1200, null)));

    Throwable refused = failure(fetcher().get(support.local("/stream")));

    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("URL returned more than 1000 bytes, over the limit of 1000 bytes (maxBytes)");
    await(closed.join().future());
  }

  @Test
  void aBodyOfExactlyMaxBytesIsAccepted() {
    support.route("/edge", r -> r.response().putHeader("Content-Type", "image/png").setChunked(true)
        .end(Buffer.buffer(new byte[1000])));

    assertThat(await(fetcher().get(support.local("/edge"))).body().length()).isEqualTo(1000);
  }

  @Test
  void aSlowServerHitsTheTotalTimeoutAndTheConnectionIsDropped() {
    CompletableFuture<Promise<Void>> closed = new CompletableFuture<>();
    support.route("/slow", r -> closed.complete(hangAfter(r, 10, "100")));
    FetchPolicy policy = new FetchPolicy(1000, Set.of(), Duration.ofSeconds(1), Duration.ofMillis(300), 0, true);

    long started = System.nanoTime();
    Throwable timedOut = failure(support.fetcher(policy).get(support.local("/slow")));

    assertThat(timedOut).isInstanceOf(UpstreamException.class)
        .hasMessage("fetch from 127.0.0.1 did not finish within 300 ms (totalTimeout)");
    assertThat(((UpstreamException) timedOut).retryable()).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
    await(closed.join().future());
  }

  @Test
  void theDeadlineCoversTheWholeFetchIncludingRedirectsAndASilentServer() {
    CompletableFuture<Promise<Void>> closed = new CompletableFuture<>();
    support.route("/hop", r -> r.response().setStatusCode(302).putHeader("Location", "/silent").end());
    support.route("/silent", r -> {
      Promise<Void> gone = Promise.promise();
      r.connection().closeHandler(v -> gone.tryComplete());
      closed.complete(gone);
    });
    FetchPolicy policy = new FetchPolicy(1000, Set.of(), Duration.ofSeconds(1), Duration.ofMillis(300), 1, true);

    Throwable timedOut = failure(support.fetcher(policy).get(support.local("/hop")));

    assertThat(timedOut).isInstanceOf(UpstreamException.class).hasMessageContaining("within 300 ms (totalTimeout)");
    await(closed.join().future());
  }

  @Test
  void aHangingDnsLookupIsCutOffByTheDeadlineToo() {
    FetchPolicy policy = new FetchPolicy(1000, Set.of(), Duration.ofSeconds(1), Duration.ofMillis(200), 0, false);
    SafeFetcher fetcher = support.fetcher(policy, host -> Promise.<List<InetAddress>>promise().future());

    Throwable timedOut = failure(fetcher.get("http://slow-dns.test/image.png"));

    assertThat(timedOut).isInstanceOf(UpstreamException.class)
        .hasMessage("fetch from slow-dns.test did not finish within 200 ms (totalTimeout)");
  }

  @Test
  void a404IsTheClientsProblem() {
    Throwable failed = failure(fetcher().get(support.local("/missing.png")));

    assertThat(failed).isInstanceOf(InvalidRequestException.class).hasMessage("image URL answered 404");
    assertThat(((InvalidRequestException) failed).param()).isNull();
  }

  @Test
  void a500IsARetryableUpstreamFailure() {
    support.route("/broken", r -> r.response().setStatusCode(503).end("busy"));

    Throwable failed = failure(fetcher().get(support.local("/broken")));

    assertThat(failed).isInstanceOf(UpstreamException.class).hasMessage("image URL answered 503");
    assertThat(((UpstreamException) failed).retryable()).isTrue();
  }

  @Test
  void aRefusedConnectionIsARetryableUpstreamFailure() {
    FetchTestSupport other = new FetchTestSupport();
    String url = other.local("/image.png");
    other.close();

    Throwable failed = failure(fetcher().get(url));

    assertThat(failed).isInstanceOf(UpstreamException.class).hasMessageStartingWith("could not fetch from 127.0.0.1");
    assertThat(((UpstreamException) failed).retryable()).isTrue();
  }

  @Test
  void resultsArriveOnTheCallersContext() {
    support.servePng("/image.png");
    SafeFetcher fetcher = fetcher();
    Context caller = support.vertx.getOrCreateContext();
    CompletableFuture<Thread> callerThread = new CompletableFuture<>();
    CompletableFuture<Thread> completionThread = new CompletableFuture<>();

    caller.runOnContext(v -> {
      callerThread.complete(Thread.currentThread());
      fetcher.get(support.local("/image.png")).onComplete(ar -> completionThread.complete(Thread.currentThread()));
    });

    assertThat(completionThread.join()).isSameAs(callerThread.join());
  }

  @Test
  void aWebhookPostSendsBodyAndHeadersAndReturnsTheStatus() {
    CompletableFuture<String> received = new CompletableFuture<>();
    support.route("/hook", r -> r.body().onSuccess(body -> {
      received.complete(r.method() + " " + r.getHeader("Content-Type") + " " + r.getHeader("X-Signature") + " "
          + body);
      r.response().setStatusCode(202).end();
    }));

    SafeFetcher.Posted posted = await(fetcher().post(support.local("/hook"),
        Map.of("Content-Type", "application/json", "X-Signature", "sha256=abc"), Buffer.buffer("{\"id\":1}")));

    assertThat(posted).isEqualTo(new SafeFetcher.Posted(202, null));
    assertThat(received.join()).isEqualTo("POST application/json sha256=abc {\"id\":1}");
  }

  @Test
  void aWebhookPostReturnsARedirectInsteadOfFollowingIt() {
    support.route("/hook", r -> r.response().setStatusCode(307).putHeader("Location", "/elsewhere").end());

    int status = await(fetcher().post(support.local("/hook"), Map.of(), Buffer.buffer("{}"))).statusCode();

    assertThat(status).isEqualTo(307);
    assertThat(support.hits).extracting(FetchTestSupport.Hit::path).containsExactly("/hook");
  }

  @Test
  void aWebhookErrorStatusIsReturnedForTheCallerToJudge() {
    assertThat(await(fetcher().post(support.local("/nowhere"), Map.of(), Buffer.buffer("{}"))).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aWebhookAnswersRetryAfterIsReturnedWithItsStatus() {
    support.route("/hook", r -> r.response().setStatusCode(429).putHeader("Retry-After", "7").end());

    assertThat(await(fetcher().post(support.local("/hook"), Map.of(), Buffer.buffer("{}"))))
        .isEqualTo(new SafeFetcher.Posted(429, "7"));
  }
}
