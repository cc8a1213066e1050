package io.imagegen.common.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One catalog entry: what the API accepts for a model and how workers reach it. Optional groups may be omitted in
 * the file; {@link ModelCatalog} fills documented defaults.
 *
 * @param baseUrl upstream base URL; {@code null} means the provider's public default
 * @param apiKeyEnv environment variable holding the upstream API key; {@code null} for providers without one
 * @param params optional request fields the model supports, with their allowed values (empty list: any value)
 * @param passthrough extra, non-standard fields forwarded to the upstream untouched
 * @param variations whether the model answers {@code POST /v1/images/variations} (one input image, no prompt)
 * @param api which of the provider's APIs serves the model, when it has several ({@code null}: its usual one)
 */
public record ModelSpec(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("author") String author,
    @JsonProperty("slug") String slug,
    @JsonProperty("provider") String provider,
    @JsonProperty("upstream_model") String upstreamModel,
    @JsonProperty("base_url") String baseUrl,
    @JsonProperty("api_key_env") String apiKeyEnv,
    @JsonProperty("async_only") boolean asyncOnly,
    @JsonProperty("limits") Limits limits,
    @JsonProperty("defaults") Defaults defaults,
    @JsonProperty("params") Map<String, List<String>> params,
    @JsonProperty("passthrough") List<String> passthrough,
    @JsonProperty("timeouts") Timeouts timeouts,
    @JsonProperty("concurrency") Concurrency concurrency,
    @JsonProperty("pricing") Pricing pricing,
    @JsonProperty("variations") boolean variations,
    @JsonProperty("api") String api) {

  /** An entry without variations, served through the provider's usual API. */
  public ModelSpec(String id, String name, String author, String slug, String provider, String upstreamModel,
      String baseUrl, String apiKeyEnv, boolean asyncOnly, Limits limits, Defaults defaults,
      Map<String, List<String>> params, List<String> passthrough, Timeouts timeouts, Concurrency concurrency,
      Pricing pricing) {
    this(id, name, author, slug, provider, upstreamModel, baseUrl, apiKeyEnv, asyncOnly, limits, defaults, params,
        passthrough, timeouts, concurrency, pricing, false, null);
  }

  /**
   * @param sizes the only sizes the vendor produces; other requested sizes map to the closest of them
   *     ({@link SizeMapping}). Empty means any {@code WxH} with both sides within {@code minSide..maxSide}
   * @param maxInputImages how many input images an edit may carry; 0 means the model cannot edit
   * @param minPixels with free sizes, the fewest pixels ({@code W*H}) an image may have; 0: no bound
   * @param maxPixels with free sizes, the most pixels an image may have; 0: no bound
   */
  public record Limits(
      @JsonProperty("max_n") int maxN,
      @JsonProperty("max_prompt_length") int maxPromptLength,
      @JsonProperty("sizes") List<String> sizes,
      @JsonProperty("min_side") int minSide,
      @JsonProperty("max_side") int maxSide,
      @JsonProperty("max_input_images") int maxInputImages,
      @JsonProperty("min_pixels") long minPixels,
      @JsonProperty("max_pixels") long maxPixels) {
    public Limits {
      sizes = sizes == null ? List.of() : List.copyOf(sizes);
    }

    /** Limits without pixel-count bounds. */
    public Limits(int maxN, int maxPromptLength, List<String> sizes, int minSide, int maxSide, int maxInputImages) {
      this(maxN, maxPromptLength, sizes, minSide, maxSide, maxInputImages, 0, 0);
    }
  }

  /**
   * @param responseFormat {@code b64_json} or {@code url} when the request does not say; {@code null} in the file
   *     means {@link #DEFAULT_RESPONSE_FORMAT}
   */
  public record Defaults(@JsonProperty("size") String size, @JsonProperty("quality") String quality,
      @JsonProperty("response_format") String responseFormat) {
    public Defaults {
      responseFormat = responseFormat == null ? DEFAULT_RESPONSE_FORMAT : responseFormat;
    }

    /** Defaults with the usual response format. */
    public Defaults(String size, String quality) {
      this(size, quality, null);
    }
  }

  /** Seed 002's default; models documented otherwise (dall-e, seed 003) say {@code url} in the catalog. */
  public static final String DEFAULT_RESPONSE_FORMAT = "b64_json";

  /**
   * @param attempt how long one upstream call may take
   * @param deadline how long a task may take from submission to a terminal state, retries included
   */
  public record Timeouts(@JsonProperty("attempt") Duration attempt, @JsonProperty("deadline") Duration deadline) {
  }

  /**
   * @param maxInFlight upstream calls one worker makes at once for this model (0: only the worker's own limit)
   * @param requestsPerMinute upstream calls one worker starts per minute (0: unlimited)
   */
  public record Concurrency(
      @JsonProperty("max_in_flight") int maxInFlight,
      @JsonProperty("requests_per_minute") int requestsPerMinute) {
  }

  /** Price of one generated image; failed tasks cost nothing. */
  public record Pricing(@JsonProperty("per_image") BigDecimal perImage, @JsonProperty("currency") String currency) {
  }

  public ModelSpec {
    params = params == null ? Map.of() : Map.copyOf(params);
    passthrough = passthrough == null ? List.of() : List.copyOf(passthrough);
    name = name == null ? id : name;
    timeouts = timeouts == null ? new Timeouts(null, null) : timeouts;
    concurrency = concurrency == null ? new Concurrency(0, 0) : concurrency;
  }

  /** Whether the model accepts the optional field {@code field}. */
  public boolean supports(String field) {
    return params.containsKey(field);
  }

  /** Allowed values of a supported field; empty means any value of the right type. */
  public List<String> allowedValues(String field) {
    return params.getOrDefault(field, List.of());
  }

  /** Real generations take from seconds to several minutes (4K renders exceed 2 minutes). */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofMinutes(5);

  /** How long one upstream call may take. */
  public Duration attemptTimeout() {
    return timeouts.attempt() == null ? DEFAULT_ATTEMPT_TIMEOUT : timeouts.attempt();
  }

  /** The task deadline, or {@code fallback} when the catalog does not set one. */
  public Duration deadlineOr(Duration fallback) {
    return timeouts.deadline() == null ? fallback : timeouts.deadline();
  }

  /** Whether the model accepts input images (edit mode). */
  public boolean supportsEdits() {
    return limits.maxInputImages() > 0;
  }
}
