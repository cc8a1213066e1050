package io.imagegen.worker.providers;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How upstream failures map to task outcomes, declared as data: a status is either retryable (the vendor or the
 * network is having a bad moment), an operator problem (our key), or final (the request itself was refused).
 */
public record UpstreamFailures(String vendor, Set<Integer> retryableStatuses, Set<Integer> credentialStatuses) {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamFailures.class);
  /** Timeouts, rate limits, server errors and the edge/overload codes of the seed error table. */
  private static final Set<Integer> RETRYABLE = Set.of(408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524,
      529);
  /** Wait at most this long on a vendor's Retry-After; longer hints are usually wrong and would stall the task. */
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /** The defaults every vendor's HTTP API follows. */
  public static UpstreamFailures standard(String vendor) {
    return new UpstreamFailures(vendor, RETRYABLE, Set.of(401, 403));
  }

  /** A failed HTTP exchange: {@code vendorCode} and {@code message} come from the vendor's error body when present. */
  public UpstreamException fromStatus(int status, String vendorCode, String message, String retryAfterHeader) {
    String detail = vendor + " answered " + status + (message == null || message.isBlank() ? "" : ": " + message);
    if (credentialStatuses.contains(status)) {
      // Loud on purpose: every task of this vendor fails until an operator fixes the key.
      LOG.error("{} rejected our credentials ({}); check the API key configured for it", vendor, status);
      return new UpstreamException(ErrorCode.UPSTREAM_AUTH_FAILED, detail
          + " (the gateway's upstream key was rejected)", null);
    }
    if (retryableStatuses.contains(status)) {
      return new UpstreamException(retryableCode(status), detail, retryAfter(retryAfterHeader), null);
    }
    return vendorCode == null || vendorCode.isBlank()
        ? new UpstreamException(ErrorCode.UPSTREAM_REJECTED, detail, null)
        : UpstreamException.finalFailure(vendorCode, detail);
  }

  /** What a retryable status says about the vendor: busy with us (429), overloaded, timed out, or failing. */
  private static ErrorCode retryableCode(int status) {
    return switch (status) {
      case 429 -> ErrorCode.UPSTREAM_RATE_LIMITED;
      case 503, 529 -> ErrorCode.UPSTREAM_OVERLOADED;
      case 408, 504, 524 -> ErrorCode.UPSTREAM_TIMEOUT;
      default -> ErrorCode.UPSTREAM_UNAVAILABLE;
    };
  }

  /** The request never got an answer (connection refused or reset, DNS, timeout): worth another try. */
  public UpstreamException unreachable(Throwable cause) {
    return new UpstreamException(ErrorCode.UPSTREAM_UNREACHABLE, vendor + " could not be reached: "
        + cause.getMessage(), cause);
  }

  /** The vendor answered 2xx with something we cannot use: retrying the same call would get the same answer. */
  public UpstreamException badResponse(String what) {
    return new UpstreamException(ErrorCode.UPSTREAM_BAD_RESPONSE, vendor + " returned an unusable response: " + what, null);
  }

  /** The vendor refused the prompt or an input image on content grounds. */
  public UpstreamException contentPolicy(String message) {
    return new UpstreamException(ErrorCode.CONTENT_POLICY_VIOLATION, vendor + " refused the request: " + message, null);
  }

  /** A {@code Retry-After} header in seconds, capped at five minutes; {@code null} when absent or a date. */
  public static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()));
    } catch (NumberFormatException e) {
      // HTTP-date form: rare for APIs; the backoff policy applies instead.
      return null;
    }
  }
}
