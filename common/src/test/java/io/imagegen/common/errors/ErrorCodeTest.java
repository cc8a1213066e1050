package io.imagegen.common.errors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {
  @Test
  void theSeedTablesUpstreamStatusesComeFromTheCodes() {
    assertThat(ErrorCode.CONTENT_POLICY_VIOLATION.status()).isEqualTo(400);
    assertThat(ErrorCode.CONTENT_POLICY_VIOLATION.type()).isEqualTo("invalid_request_error");
    assertThat(ErrorCode.TIMEOUT.status()).isEqualTo(524);
    assertThat(ErrorCode.UPSTREAM_TIMEOUT.status()).isEqualTo(524);
    assertThat(ErrorCode.UPSTREAM_CIRCUIT_OPEN.status()).isEqualTo(529);
    assertThat(ErrorCode.UPSTREAM_OVERLOADED.status()).isEqualTo(529);
    assertThat(ErrorCode.UPSTREAM_UNAVAILABLE.status()).isEqualTo(502);
    assertThat(ErrorCode.UPSTREAM_OVERLOADED.type()).isEqualTo("server_error");
  }

  @Test
  void aMethodNotAllowedIsAnInvalidRequestLikeEveryOther4xx() {
    assertThat(ErrorCode.METHOD_NOT_ALLOWED.status()).isEqualTo(405);
    assertThat(ErrorCode.METHOD_NOT_ALLOWED.type()).isEqualTo("invalid_request_error");
    assertThat(ErrorCode.INVALID_API_KEY.type()).isEqualTo("authentication_error");
    assertThat(ErrorCode.MODEL_NOT_ALLOWED.type()).isEqualTo("permission_error");
    assertThat(ErrorCode.RATE_LIMIT_EXCEEDED.type()).isEqualTo("rate_limit_error");
  }

  @Test
  void codesAreLookedUpByTheirWireSpellingAndAVendorsOwnCodeIsNotCatalogued() {
    assertThat(ErrorCode.of("upstream_rate_limited")).contains(ErrorCode.UPSTREAM_RATE_LIMITED);
    assertThat(ErrorCode.of("InvalidParameter")).isEmpty();
    assertThat(ErrorCode.of(null)).isEmpty();
  }

  @Test
  void exceptionsTakeTheirRetryabilityFromTheCatalogUnlessTheCauseMakesThemFinal() {
    assertThat(new UpstreamException(ErrorCode.UPSTREAM_UNREACHABLE, "down", null).retryable()).isTrue();
    assertThat(new UpstreamException(ErrorCode.CONTENT_POLICY_VIOLATION, "no", null).retryable()).isFalse();
    assertThat(UpstreamException.permanent(ErrorCode.FETCH_FAILED, "bad certificate", null).retryable()).isFalse();
    assertThat(UpstreamException.finalFailure("InvalidParameter", "no").catalogued()).isEmpty();
    assertThat(new ConflictException(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS, "wait").retryable()).isTrue();
  }

  @Test
  void theDocumentedStatusesIncludeTheSeedTablesEdgeAndOverloadCodes() {
    assertThat(ErrorCode.statuses()).contains(400, 401, 403, 404, 405, 409, 413, 429, 500, 502, 503, 524, 529);
  }
}
