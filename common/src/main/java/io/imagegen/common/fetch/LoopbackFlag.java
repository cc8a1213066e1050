package io.imagegen.common.fetch;

import io.imagegen.common.config.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development switches {@code IMAGEGEN_FETCH_ALLOW_PRIVATE_NETWORKS} and
 * {@code IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS}: read once at start-up, and announced with a WARN when on, because
 * a production service must never run with one (docs/operations.md, Security).
 */
public final class LoopbackFlag {
  private static final Logger LOG = LoggerFactory.getLogger(LoopbackFlag.class);

  private LoopbackFlag() {
  }

  /** Whether {@code variable} is on (default off); logs a WARN at once when it is. */
  public static boolean read(Env env, String variable) {
    boolean on = env.bool(variable, false);
    if (on) {
      LOG.warn("DEVELOPMENT ONLY: {} is on, so server-side requests may reach this host's loopback (127.0.0.0/8, "
          + "::1); other private addresses stay refused. Never set it in production.", variable);
    }
    return on;
  }
}
