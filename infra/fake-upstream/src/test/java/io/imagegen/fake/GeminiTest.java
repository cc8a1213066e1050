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

import static org.assertj.core.api.Assertions.assertThat;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GeminiTest {

    static final String MODEL = "gemini-2.5-flash-image";
    static FakeUpstream fake;
    static String url;

    @BeforeAll
    static void start() {
        fake = FakeUpstream.start(0);
        url = fake.baseUrl() + "/v1beta/models/" + MODEL + ":generateContent";
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    static JsonObject request(String aspectRatio, String imageSize) {
        JsonObject imageConfig = new JsonObject().put("aspectRatio", aspectRatio);
        if (imageSize != null) {
            imageConfig.put("imageSize", imageSize);
        }
        return new JsonObject()
                .put("contents", new JsonArray().add(new JsonObject().put("parts",
                        new JsonArray().add(new JsonObject().put("text", "a nano banana on a desk")))))
                .put("generationConfig", new JsonObject()
                        .put("responseModalities", new JsonArray().add("TEXT").add("IMAGE"))
                        .put("imageConfig", imageConfig));
    }

    static JsonArray parts(JsonObject body) {
        return body.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts");
    }

    @Test
    void an_image_request_answers_text_and_inline_png_at_the_aspect_ratio_size() {
        Http.Res res = Http.postJson(url, request("16:9", null), "x-goog-api-key", FakeUpstream.API_KEY);

        assertThat(res.status()).isEqualTo(200);
        JsonObject body = res.json();
        JsonObject candidate = body.getJsonArray("candidates").getJsonObject(0);
        assertThat(candidate.getString("finishReason")).isEqualTo("STOP");
        JsonArray parts = parts(body);
        assertThat(parts.getJsonObject(0).getString("text")).isNotBlank();
        JsonObject inline = parts.getJsonObject(1).getJsonObject("inlineData");
        assertThat(inline.getString("mimeType")).isEqualTo("image/png");
        BufferedImage img = Http.pngB64(inline.getString("data"));
        assertThat(img.getWidth()).isEqualTo(1344);
        assertThat(img.getHeight()).isEqualTo(768);
        JsonObject usage = body.getJsonObject("usageMetadata");
        assertThat(usage.getInteger("totalTokenCount"))
                .isEqualTo(usage.getInteger("promptTokenCount") + usage.getInteger("candidatesTokenCount"));
    }

    @Test
    void the_key_may_come_as_a_query_parameter_and_image_size_scales_the_image() {
        Http.Res res = Http.postJson(url + "?key=" + FakeUpstream.API_KEY, request("1:1", "2K"));

        BufferedImage img = Http.pngB64(parts(res.json()).getJsonObject(1).getJsonObject("inlineData").getString("data"));
        assertThat(img.getWidth()).isEqualTo(2048);
        assertThat(img.getHeight()).isEqualTo(2048);
    }

    @Test
    void snake_case_request_fields_are_understood_and_image_only_modality_has_no_text() {
        JsonObject req = new JsonObject()
                .put("contents", new JsonArray().add(new JsonObject().put("parts",
                        new JsonArray().add(new JsonObject().put("text", "portrait")))))
                .put("generation_config", new JsonObject()
                        .put("response_modalities", new JsonArray().add("IMAGE"))
                        .put("image_config", new JsonObject().put("aspect_ratio", "9:16")));

        JsonArray parts = parts(Http.postJson(url, req, "x-goog-api-key", FakeUpstream.API_KEY).json());

        assertThat(parts).hasSize(1);
        assertThat(Http.pngB64(parts.getJsonObject(0).getJsonObject("inlineData").getString("data")).getHeight())
                .isEqualTo(1344);
    }

    @Test
    void a_missing_key_is_permission_denied_and_a_wrong_key_is_api_key_invalid() {
        Http.Res missing = Http.postJson(url, request("1:1", null));
        Http.Res wrong = Http.postJson(url, request("1:1", null), "x-goog-api-key", "wrong");

        assertThat(missing.status()).isEqualTo(403);
        assertThat(missing.json().getJsonObject("error").getString("status")).isEqualTo("PERMISSION_DENIED");
        assertThat(wrong.status()).isEqualTo(400);
        JsonObject error = wrong.json().getJsonObject("error");
        assertThat(error.getInteger("code")).isEqualTo(400);
        assertThat(error.getString("status")).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.getJsonArray("details").getJsonObject(0).getString("reason")).isEqualTo("API_KEY_INVALID");
    }

    @Test
    void content_policy_finishes_with_image_safety_and_no_image() {
        fake.behave(Behaviour.normal().withContentPolicy(true));

        JsonObject body = Http.postJson(url, request("1:1", null), "x-goog-api-key", FakeUpstream.API_KEY).json();

        JsonObject candidate = body.getJsonArray("candidates").getJsonObject(0);
        assertThat(candidate.getString("finishReason")).isEqualTo("IMAGE_SAFETY");
        assertThat(candidate.containsKey("content")).isFalse();
    }

    @Test
    void resource_exhausted_carries_retry_after_and_then_clears() {
        fake.behave(Behaviour.normal().withFailStatus(429).withFailTimes(1).withRetryAfterSeconds(9));

        Http.Res first = Http.postJson(url, request("1:1", null), "x-goog-api-key", FakeUpstream.API_KEY);
        Http.Res second = Http.postJson(url, request("1:1", null), "x-goog-api-key", FakeUpstream.API_KEY);

        assertThat(first.status()).isEqualTo(429);
        assertThat(first.header("retry-after")).hasValue("9");
        assertThat(first.json().getJsonObject("error").getString("status")).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(second.status()).isEqualTo(200);
    }

    @Test
    void empty_data_answers_text_only() {
        fake.behave(Behaviour.normal().withEmptyData(true));

        JsonArray parts = parts(Http.postJson(url, request("1:1", null), "x-goog-api-key", FakeUpstream.API_KEY).json());

        assertThat(parts).hasSize(1);
        assertThat(parts.getJsonObject(0).containsKey("inlineData")).isFalse();
    }

    @Test
    void a_request_without_contents_is_invalid_argument() {
        Http.Res res = Http.postJson(url, new JsonObject(), "x-goog-api-key", FakeUpstream.API_KEY);

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getJsonObject("error").getString("status")).isEqualTo("INVALID_ARGUMENT");
    }
}
