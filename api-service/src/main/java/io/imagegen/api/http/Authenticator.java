package io.imagegen.api.http;

import io.imagegen.common.errors.AuthenticationException;
import io.imagegen.common.errors.RateLimitedException;
import io.imagegen.common.observability.TaskContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Turns a bearer key into its owner on the routing context, after the per-address wrong-key throttle and before the
 * owner's submit or read rate limit; everything behind it reads the owner with {@link #owner}.
 */
final class Authenticator {
  private static final String OWNER = "imagegen.owner";

  private final ApiKeys keys;
  private final FailedAuthThrottle throttle;
  private final RateLimiter submits;
  private final RateLimiter reads;

  Authenticator(ApiKeys keys, FailedAuthThrottle throttle, RateLimiter submits, RateLimiter reads) {
    this.keys = keys;
    this.throttle = throttle;
    this.submits = submits;
    this.reads = reads;
  }

  /** The authenticated owner of this request. */
  static String owner(RoutingContext ctx) {
    return ctx.get(OWNER);
  }

  /** Route handler: 401 without a valid key, 429 past a limit, otherwise on to the next handler. */
  void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    try {
      throttle.check(ctx.request());
    } catch (RateLimitedException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    keys.authenticate(token).ifPresentOrElse(owner -> {
      try {
        (ctx.request().method() == HttpMethod.POST ? submits : reads).acquire(owner);
      } catch (RateLimitedException e) {
        HttpErrors.send(ctx, e);
        return;
      }
      ctx.put(OWNER, owner);
      TaskContext.current().ifPresent(task -> task.with(TaskContext.OWNER, owner).attach());
      ctx.next();
    }, () -> {
      throttle.failed(ctx.request());
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpErrors.send(ctx, new AuthenticationException(Responses.isEnvelope(ctx) ? "Unauthorized"
          : token == null ? "Missing API key: send 'Authorization: Bearer <key>'." : "Incorrect API key provided."));
    });
  }

  /** Charges the owner {@code count} more read tokens, for a request that costs more than one storage read. */
  void chargeReads(RoutingContext ctx, int count) {
    reads.acquire(owner(ctx), count);
  }

  /** Whether the owner's key may use {@code model}. */
  boolean allows(RoutingContext ctx, String model) {
    return keys.allows(owner(ctx), model);
  }
}
