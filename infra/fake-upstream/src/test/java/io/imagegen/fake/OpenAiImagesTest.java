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
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;

import static io.imagegen.fake.Http.BEARER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiImagesTest {

    static FakeUpstream fake;
    static String generations;

    @BeforeAll
    static void start() {
        fake = FakeUpstream.start(0);
        generations = fake.baseUrl() + "/v1/images/generations";
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    static JsonObject gptImage(String size) {
        return new JsonObject().put("model", "gpt-image-1").put("prompt", "a red fox").put("size", size)
                .put("quality", "medium");
    }

    @Test
    void gpt_image_answers_b64_json_pngs_of_the_requested_size_with_usage() {
        Http.Res res = Http.postJson(generations, gptImage("1536x1024").put("n", 2), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonObject body = res.json();
        assertThat(body.getLong("created")).isPositive();
        JsonArray data = body.getJsonArray("data");
        assertThat(data).hasSize(2);
        BufferedImage img = Http.pngB64(data.getJsonObject(0).getString("b64_json"));
        assertThat(img.getWidth()).isEqualTo(1536);
        assertThat(img.getHeight()).isEqualTo(1024);
        assertThat(data.getJsonObject(0).containsKey("url")).isFalse();
        JsonObject usage = body.getJsonObject("usage");
        assertThat(usage.getLong("total_tokens"))
                .isEqualTo(usage.getLong("input_tokens") + usage.getLong("output_tokens"));
        assertThat(usage.getJsonObject("input_tokens_details").getLong("text_tokens")).isPositive();
    }

    @Test
    void dall_e_3_answers_a_url_served_by_the_fake_and_a_revised_prompt() {
        JsonObject req = new JsonObject().put("model", "dall-e-3").put("prompt", "a lighthouse").put("size", "1024x1792");

        JsonObject item = Http.postJson(generations, req, "Authorization", BEARER).json()
                .getJsonArray("data").getJsonObject(0);

        assertThat(item.getString("revised_prompt")).contains("a lighthouse");
        String url = item.getString("url");
        assertThat(url).startsWith(fake.baseUrl() + "/files/").endsWith(".png");
        Http.Res file = Http.get(url);
        assertThat(file.header("content-type")).contains("image/png");
        BufferedImage img = Http.png(file.body());
        assertThat(img.getWidth()).isEqualTo(1024);
        assertThat(img.getHeight()).isEqualTo(1792);
    }

    @Test
    void dall_e_2_answers_b64_json_when_asked_and_has_no_usage() {
        JsonObject req = new JsonObject().put("prompt", "a cat").put("size", "256x256").put("response_format", "b64_json");

        JsonObject body = Http.postJson(generations, req, "Authorization", BEARER).json();

        assertThat(Http.pngB64(body.getJsonArray("data").getJsonObject(0).getString("b64_json")).getWidth())
                .isEqualTo(256);
        assertThat(body.containsKey("usage")).isFalse();
    }

    @Test
    void a_missing_or_wrong_key_gets_openai_401_bodies() {
        Http.Res missing = Http.postJson(generations, gptImage("1024x1024"));
        Http.Res wrong = Http.postJson(generations, gptImage("1024x1024"), "Authorization", "Bearer nope");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
    }

    @Test
    void a_missing_prompt_is_a_400_naming_the_parameter() {
        Http.Res res = Http.postJson(generations, new JsonObject().put("model", "gpt-image-1"), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getJsonObject("error").getString("param")).isEqualTo("prompt");
    }

    @Test
    void fail_times_answers_429_with_retry_after_then_succeeds() {
        fake.behave(Behaviour.normal().withFailStatus(429).withFailTimes(2).withRetryAfterSeconds(3));

        Http.Res first = Http.postJson(generations, gptImage("256x256"), "Authorization", BEARER);
        Http.Res second = Http.postJson(generations, gptImage("256x256"), "Authorization", BEARER);
        Http.Res third = Http.postJson(generations, gptImage("256x256"), "Authorization", BEARER);

        assertThat(first.status()).isEqualTo(429);
        assertThat(first.header("retry-after")).hasValue("3");
        assertThat(first.json().getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
        assertThat(second.status()).isEqualTo(429);
        assertThat(third.status()).isEqualTo(200);
        assertThat(third.header("retry-after")).isEmpty();
    }

    @Test
    void fail_status_alone_fails_every_request_with_a_server_error_body() {
        fake.behave(Behaviour.normal().withFailStatus(500));

        for (int i = 0; i < 3; i++) {
            Http.Res res = Http.postJson(generations, gptImage("256x256"), "Authorization", BEARER);
            assertThat(res.status()).isEqualTo(500);
            assertThat(res.json().getJsonObject("error").getString("type")).isEqualTo("server_error");
        }
    }

    @Test
    void error_rate_fails_a_seeded_share_of_requests_the_same_way_each_run() {
        int[] runs = new int[2];
        for (int run = 0; run < 2; run++) {
            fake.behave(Behaviour.normal().withFailStatus(503).withErrorRate(0.5, 7));
            for (int i = 0; i < 20; i++) {
                if (Http.postJson(generations, gptImage("64x64"), "Authorization", BEARER).status() == 503) {
                    runs[run]++;
                }
            }
        }
        assertThat(runs[0]).isBetween(4, 16).isEqualTo(runs[1]);
    }

    @Test
    void malformed_body_is_a_200_json_response_that_does_not_parse() {
        fake.behave(Behaviour.normal().withMalformedBody(true));

        Http.Res res = Http.postJson(generations, gptImage("64x64"), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("content-type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        assertThatThrownBy(res::json).isInstanceOf(RuntimeException.class);
    }

    @Test
    void wrong_content_type_is_a_200_html_page() {
        fake.behave(Behaviour.normal().withWrongContentType(true));

        Http.Res res = Http.postJson(generations, gptImage("64x64"), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(res.text()).contains("<html>");
    }

    @Test
    void empty_data_is_a_200_with_no_images() {
        fake.behave(Behaviour.normal().withEmptyData(true));

        JsonObject body = Http.postJson(generations, gptImage("64x64"), "Authorization", BEARER).json();

        assertThat(body.getJsonArray("data")).isEmpty();
    }

    @Test
    void image_bytes_pads_a_png_beyond_4_mb_that_still_decodes_at_its_size() {
        fake.behave(Behaviour.normal().withImageBytes(4 * 1024 * 1024 + 100));

        String b64 = Http.postJson(generations, gptImage("1024x768"), "Authorization", BEARER).json()
                .getJsonArray("data").getJsonObject(0).getString("b64_json");

        byte[] png = Base64.getDecoder().decode(b64);
        assertThat(png.length).isGreaterThanOrEqualTo(4 * 1024 * 1024);
        BufferedImage img = Http.png(png);
        assertThat(img.getWidth()).isEqualTo(1024);
        assertThat(img.getHeight()).isEqualTo(768);
    }

    @Test
    void hang_never_answers_so_the_client_timeout_fires() {
        fake.behave(Behaviour.normal().withHang(true));
        HttpRequest req = Http.request(generations, "Authorization", BEARER, "Content-Type", "application/json")
                .timeout(Duration.ofMillis(400))
                .POST(HttpRequest.BodyPublishers.ofString(gptImage("64x64").encode())).build();

        assertThatThrownBy(() -> Http.CLIENT.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void latency_delays_the_answer_without_failing_it() {
        fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(300)));

        long start = System.nanoTime();
        Http.Res res = Http.postJson(generations, gptImage("64x64"), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void slow_stream_trickles_a_file_download_at_the_configured_rate() {
        fake.behave(Behaviour.normal().withImageBytes(12_000));
        JsonObject req = new JsonObject().put("prompt", "slow").put("size", "64x64");
        String url = Http.postJson(generations, req, "Authorization", BEARER).json()
                .getJsonArray("data").getJsonObject(0).getString("url");
        fake.behave(Behaviour.normal().withSlowStreamBytesPerSecond(20_000));

        long start = System.nanoTime();
        Http.Res file = Http.get(url);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(file.body()).hasSize(12_000);
        assertThat(Http.png(file.body()).getWidth()).isEqualTo(64);
    }

    @Test
    void content_policy_is_a_400_with_the_moderation_code_of_the_model_family() {
        fake.behave(Behaviour.normal().withContentPolicy(true));

        Http.Res gpt = Http.postJson(generations, gptImage("64x64"), "Authorization", BEARER);
        Http.Res dalle = Http.postJson(generations, new JsonObject().put("model", "dall-e-3").put("prompt", "x"),
                "Authorization", BEARER);

        assertThat(gpt.status()).isEqualTo(400);
        assertThat(gpt.json().getJsonObject("error").getString("code")).isEqualTo("moderation_blocked");
        assertThat(dalle.json().getJsonObject("error").getString("code")).isEqualTo("content_policy_violation");
        assertThat(dalle.json().getJsonObject("error").getString("type")).isEqualTo("image_generation_user_error");
    }

    @Test
    void a_multipart_edit_with_two_images_and_a_mask_is_recorded_part_by_part() {
        // Over 1 MB, so the recorder's off-event-loop parsing path is exercised too.
        byte[] first = PngFactory.pad(PngFactory.encode(32, 32, 0x112233), 2_000_000);
        byte[] second = PngFactory.encode(48, 48, 0x445566);
        byte[] mask = PngFactory.encode(32, 32, 0x000000);
        Http.Multipart form = new Http.Multipart()
                .field("model", "gpt-image-1").field("prompt", "merge them").field("size", "1024x1536").field("n", "1")
                .file("image[]", "a.png", "image/png", first)
                .file("image[]", "b.png", "image/png", second)
                .file("mask", "mask.png", "image/png", mask);

        Http.Res res = Http.send(Http.request(fake.baseUrl() + "/v1/images/edits", "Authorization", BEARER,
                "Content-Type", form.contentType()).POST(form.publisher()).build());

        assertThat(res.status()).isEqualTo(200);
        BufferedImage img = Http.pngB64(res.json().getJsonArray("data").getJsonObject(0).getString("b64_json"));
        assertThat(img.getHeight()).isEqualTo(1536);
        RecordedRequest rec = fake.requests().get(0);
        assertThat(rec.path()).isEqualTo("/v1/images/edits");
        assertThat(rec.files()).extracting(RecordedRequest.Part::name, RecordedRequest.Part::fileName,
                        RecordedRequest.Part::contentType, RecordedRequest.Part::size)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("image[]", "a.png", "image/png", (long) first.length),
                        org.assertj.core.groups.Tuple.tuple("image[]", "b.png", "image/png", (long) second.length),
                        org.assertj.core.groups.Tuple.tuple("mask", "mask.png", "image/png", (long) mask.length));
        assertThat(rec.parts()).filteredOn(p -> "prompt".equals(p.name()))
                .singleElement().extracting(RecordedRequest.Part::value).isEqualTo("merge them");
    }

    @Test
    void an_edit_without_an_image_is_a_400() {
        Http.Multipart form = new Http.Multipart().field("model", "gpt-image-1").field("prompt", "nothing");

        Http.Res res = Http.send(Http.request(fake.baseUrl() + "/v1/images/edits", "Authorization", BEARER,
                "Content-Type", form.contentType()).POST(form.publisher()).build());

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getJsonObject("error").getString("param")).isEqualTo("image");
    }

    @Test
    void json_requests_are_recorded_with_lower_cased_headers_and_parsed_bodies() {
        Http.postJson(generations + "?trace=1", gptImage("64x64"), "Authorization", BEARER, "X-Trace-Id", "t-1");

        RecordedRequest rec = fake.requests().get(0);
        assertThat(rec.method()).isEqualTo("POST");
        assertThat(rec.query()).isEqualTo("trace=1");
        assertThat(rec.headers()).containsEntry("x-trace-id", "t-1").containsEntry("authorization", BEARER);
        assertThat(rec.json().getString("model")).isEqualTo("gpt-image-1");
        assertThat(rec.bodyText()).contains("a red fox");
    }
}
