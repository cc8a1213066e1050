package io.imagegen.common.errors;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one catalog of error codes (docs/api.md, "Errors"): each code's HTTP status, OpenAI error {@code type} and
 * whether trying again later may succeed. The API renders statuses from it, the worker decides retries and breaker
 * accounting with it, and the OpenAPI document lists its statuses.
 */
public enum ErrorCode {
  INVALID_IMAGE_REQUEST(400, false),
  INVALID_JSON(400, false),
  INVALID_IDEMPOTENCY_KEY(400, false),
  INVALID_URL(400, false),
  URL_FETCH_REJECTED(400, false),
  UNSUPPORTED_CONTENT_TYPE(400, false),
  CONTENT_TOO_LARGE(400, false),
  /** {@code /v1/images/edits} and {@code /variations} take multipart/form-data only. */
  INVALID_CONTENT_TYPE(400, false),
  INVALID_MULTIPART(400, false),
  /** No running worker can serve the model (its vendor has no key on this deployment). */
  MODEL_NOT_AVAILABLE(400, false),
  /** The vendor's moderation refused the prompt or an image; OpenAI answers this as a 400. */
  CONTENT_POLICY_VIOLATION(400, false),
  INVALID_API_KEY(401, false),
  /** A key's budget (IMAGEGEN_KEY_BUDGETS) has no room for the submit's estimate; seed 004's 402. */
  INSUFFICIENT_QUOTA(402, false),
  MODEL_NOT_ALLOWED(403, false),
  /** Only admin keys may read another owner's usage. */
  OWNER_NOT_ALLOWED(403, false),
  MODEL_NOT_FOUND(404, false),
  TASK_NOT_FOUND(404, false),
  TASK_EXPIRED(404, false),
  IMAGE_NOT_FOUND(404, false),
  UNKNOWN_URL(404, false),
  METHOD_NOT_ALLOWED(405, false),
  /** The request body did not arrive in time (IMAGEGEN_HTTP_BODY_TIMEOUT); the connection is closed. */
  REQUEST_TIMEOUT(408, false),
  TASK_NOT_CANCELLABLE(409, false),
  IDEMPOTENCY_KEY_REUSED(409, false),
  IDEMPOTENCY_KEY_IN_PROGRESS(409, true),
  ILLEGAL_TRANSITION(409, false),
  VERSION_CONFLICT(409, false),
  /** The task was cancelled while a synchronous request waited for it. */
  CANCELLED(409, false),
  REQUEST_TOO_LARGE(413, false),
  RATE_LIMIT_EXCEEDED(429, true),
  INTERNAL_ERROR(500, false),
  UNSUPPORTED_JOB_VERSION(500, false),
  TASK_UNREADABLE(500, false),
  TASK_MISSING(500, false),
  /** The vendor refused the request for a reason of its own (its code, when it gave one, replaces this). */
  UPSTREAM_REJECTED(502, false),
  UPSTREAM_BAD_RESPONSE(502, false),
  UPSTREAM_AUTH_FAILED(502, false),
  UPSTREAM_QUOTA_EXHAUSTED(502, false),
  UPSTREAM_CANCELLED(502, false),
  UPSTREAM_TASK_LOST(502, true),
  UPSTREAM_UNREACHABLE(502, true),
  /** A server error of the vendor (500, 502, 504, 52x); an overload has its own code. */
  UPSTREAM_UNAVAILABLE(502, true),
  MODEL_NOT_CONFIGURED(502, false),
  INPUT_MISSING(502, true),
  FETCH_FAILED(502, true),
  FETCH_TIMEOUT(502, true),
  DEMO_FAILURE(502, false),
  DEMO_TRANSIENT(502, true),
  QUEUE_FULL(503, true),
  QUEUE_UNAVAILABLE(503, true),
  /** The usage ledger topic did not take a reservation or settlement in time. */
  LEDGER_UNAVAILABLE(503, true),
  STORAGE_UNAVAILABLE(503, true),
  STORAGE_REJECTED(503, true),
  IMAGE_MISSING(503, true),
  /** The task's deadline passed (retries included). */
  TIMEOUT(524, false),
  /** One upstream call did not answer in time. */
  UPSTREAM_TIMEOUT(524, true),
  /** The vendor said it is overloaded (503, 529). */
  UPSTREAM_OVERLOADED(529, true),
  DEMO_UNAVAILABLE(529, true),
  /**
   * The vendor rate-limited us (429): alive and busy. Not counted against the circuit breaker; to a client it is
   * an overloaded provider, not its own rate limit.
   */
  UPSTREAM_RATE_LIMITED(529, true),
  /** Calls to the vendor are paused by the circuit breaker. */
  UPSTREAM_CIRCUIT_OPEN(529, true);

  private static final Map<String, ErrorCode> BY_CODE = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(ErrorCode::code, Function.identity()));

  private final int status;
  private final boolean retryable;

  ErrorCode(int status, boolean retryable) {
    this.status = status;
    this.retryable = retryable;
  }

  /** The wire spelling, e.g. {@code content_policy_violation}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The HTTP status a request failing with this code answers. */
  public int status() {
    return status;
  }

  /** Whether the same operation may succeed if tried again later. */
  public boolean retryable() {
    return retryable;
  }

  /** OpenAI's error {@code type} for this code's status. */
  public String type() {
    return typeOf(status);
  }

  /** OpenAI's error {@code type} for an HTTP status. */
  public static String typeOf(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 402 -> "insufficient_quota";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      default -> status >= 400 && status < 500 ? "invalid_request_error" : "server_error";
    };
  }

  /** The catalogued code spelled {@code code}; empty for a vendor's own code passed through. */
  public static Optional<ErrorCode> of(String code) {
    return Optional.ofNullable(code == null ? null : BY_CODE.get(code));
  }

  /** Every distinct HTTP status a catalogued code answers, for the OpenAPI document's check. */
  public static java.util.SortedSet<Integer> statuses() {
    return Arrays.stream(values()).map(ErrorCode::status)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }
}
