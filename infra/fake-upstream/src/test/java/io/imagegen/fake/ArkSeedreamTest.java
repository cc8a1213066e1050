package io.imagegen.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static io.imagegen.fake.Http.BEARER;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ArkSeedreamTest {

    static FakeUpstream fake;
    static String url;

    @BeforeAll
    static void start() {
        fake = FakeUpstream.start(0);
        url = fake.baseUrl() + "/api/v3/images/generations";
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    static JsonObject seedream() {
        return new JsonObject().put("model", "doubao-seedream-4-0-250828").put("prompt", "a tea house")
                .put("seed", 3).put("watermark", false);
    }

    @Test
    void the_default_answer_is_one_2k_url_with_its_size_and_usage() {
        JsonObject body = Http.postJson(url, seedream(), "Authorization", BEARER).json();

        assertThat(body.getString("model")).isEqualTo("doubao-seedream-4-0-250828");
        assertThat(body.getLong("created")).isPositive();
        JsonObject item = body.getJsonArray("data").getJsonObject(0);
        assertThat(item.getString("size")).isEqualTo("2048x2048");
        BufferedImage img = Http.png(Http.get(item.getString("url")).body());
        assertThat(img.getWidth()).isEqualTo(2048);
        JsonObject usage = body.getJsonObject("usage");
        assertThat(usage.getInteger("generated_images")).isEqualTo(1);
        assertThat(usage.getLong("output_tokens")).isEqualTo(2048L * 2048 / 256);
        assertThat(usage.getLong("total_tokens")).isEqualTo(usage.getLong("output_tokens"));
    }

    @Test
    void b64_json_with_explicit_pixels_returns_that_size() {
        JsonObject req = seedream().put("size", "1280x720").put("response_format", "b64_json");

        JsonObject item = Http.postJson(url, req, "Authorization", BEARER).json().getJsonArray("data").getJsonObject(0);

        BufferedImage img = Http.pngB64(item.getString("b64_json"));
        assertThat(img.getWidth()).isEqualTo(1280);
        assertThat(img.getHeight()).isEqualTo(720);
        assertThat(item.getString("size")).isEqualTo("1280x720");
    }

    @Test
    void sequential_auto_returns_max_images_or_three_by_default() {
        JsonObject withMax = seedream().put("size", "1K").put("sequential_image_generation", "auto")
                .put("sequential_image_generation_options", new JsonObject().put("max_images", 4));
        JsonObject withoutMax = seedream().put("size", "1K").put("sequential_image_generation", "auto");
        JsonObject disabled = seedream().put("size", "1K").put("sequential_image_generation", "disabled");

        JsonArray four = Http.postJson(url, withMax, "Authorization", BEARER).json().getJsonArray("data");
        JsonArray three = Http.postJson(url, withoutMax, "Authorization", BEARER).json().getJsonArray("data");
        JsonArray one = Http.postJson(url, disabled, "Authorization", BEARER).json().getJsonArray("data");

        assertThat(four).hasSize(4);
        assertThat(three).hasSize(ArkVendor.DEFAULT_SEQUENTIAL_IMAGES);
        assertThat(one).hasSize(1);
        assertThat(four.getJsonObject(0).getString("size")).isEqualTo("1024x1024");
    }

    @Test
    void a_wrong_key_gets_ark_authentication_error() {
        Http.Res res = Http.postJson(url, seedream(), "Authorization", "Bearer wrong");

        assertThat(res.status()).isEqualTo(401);
        JsonObject error = res.json().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("AuthenticationError");
        assertThat(error.getString("type")).isEqualTo("Unauthorized");
    }

    @Test
    void an_invalid_size_is_invalid_parameter_naming_size() {
        Http.Res res = Http.postJson(url, seedream().put("size", "huge"), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getJsonObject("error").getString("param")).isEqualTo("size");
    }

    @Test
    void content_policy_is_a_400_sensitive_content_error() {
        fake.behave(Behaviour.normal().withContentPolicy(true));

        Http.Res res = Http.postJson(url, seedream(), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getJsonObject("error").getString("code"))
                .isEqualTo("OutputImageSensitiveContentDetected");
    }

    @Test
    void injected_failures_use_ark_codes_and_retry_after_until_fail_times_is_spent() {
        fake.behave(Behaviour.normal().withFailStatus(429).withFailTimes(1).withRetryAfterSeconds(2));

        Http.Res first = Http.postJson(url, seedream().put("size", "1K"), "Authorization", BEARER);
        Http.Res second = Http.postJson(url, seedream().put("size", "1K"), "Authorization", BEARER);

        assertThat(first.status()).isEqualTo(429);
        assertThat(first.header("retry-after")).hasValue("2");
        assertThat(first.json().getJsonObject("error").getString("code")).startsWith("RateLimitExceeded");
        assertThat(second.status()).isEqualTo(200);
    }

    @Test
    void a_server_error_is_internal_service_error() {
        fake.behave(Behaviour.normal().withFailStatus(500));

        Http.Res res = Http.postJson(url, seedream(), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(500);
        assertThat(res.json().getJsonObject("error").getString("code")).isEqualTo("InternalServiceError");
    }

    @Test
    void empty_data_and_wrong_content_type_are_honoured() {
        fake.behave(Behaviour.normal().withEmptyData(true));
        JsonObject empty = Http.postJson(url, seedream(), "Authorization", BEARER).json();
        fake.behave(Behaviour.normal().withWrongContentType(true));
        Http.Res html = Http.postJson(url, seedream(), "Authorization", BEARER);

        assertThat(empty.getJsonArray("data")).isEmpty();
        assertThat(empty.getJsonObject("usage").getInteger("generated_images")).isZero();
        assertThat(html.header("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    }
}
