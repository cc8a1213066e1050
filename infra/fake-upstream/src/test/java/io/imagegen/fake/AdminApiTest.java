package io.imagegen.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.imagegen.fake.Http.BEARER;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminApiTest {

    static FakeUpstream fake;

    @BeforeAll
    static void start() {
        fake = FakeUpstream.start(0);
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    static Http.Res admin(String path, JsonObject body) {
        return Http.postJson(fake.baseUrl() + "/_fake/" + path, body);
    }

    static Http.Res generate(String prompt) {
        return Http.postJson(fake.baseUrl() + "/v1/images/generations",
                new JsonObject().put("model", "gpt-image-1").put("prompt", prompt).put("size", "64x64"),
                "Authorization", BEARER);
    }

    @Test
    void knobs_set_over_http_take_effect_and_read_back_in_snake_case() {
        Http.Res set = admin("behaviour", new JsonObject().put("fail_status", 503).put("fail_times", 1)
                .put("retry_after_seconds", 7).put("latency_ms", 20).put("dashscope_query_qps", 3));

        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().getInteger("retry_after_seconds")).isEqualTo(7);
        assertThat(fake.behaviour().latency()).isEqualTo(Duration.ofMillis(20));
        assertThat(fake.behaviour().dashscopeQueryQps()).isEqualTo(3);
        Http.Res first = generate("one");
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.header("retry-after")).hasValue("7");
        assertThat(generate("two").status()).isEqualTo(200);
        assertThat(Http.get(fake.baseUrl() + "/_fake/behaviour").json().getInteger("fail_status")).isEqualTo(503);
    }

    @Test
    void unknown_knobs_are_rejected_so_typos_do_not_pass_silently() {
        Http.Res res = admin("behaviour", new JsonObject().put("fail_statuss", 500));

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getString("error")).contains("fail_statuss");
        assertThat(fake.behaviour()).isEqualTo(Behaviour.normal());
    }

    @Test
    void latency_accepts_an_iso_duration_and_bad_values_are_a_400() {
        assertThat(admin("behaviour", new JsonObject().put("latency", "PT0.5S")).status()).isEqualTo(200);
        assertThat(fake.behaviour().latency()).isEqualTo(Duration.ofMillis(500));
        assertThat(admin("behaviour", new JsonObject().put("error_rate", 2.0)).status()).isEqualTo(400);
    }

    @Test
    void recorded_requests_are_listed_with_bodies_truncated_to_2_kb_and_admin_calls_left_out() {
        generate("x".repeat(5000));

        JsonArray list = new JsonArray(Http.get(fake.baseUrl() + "/_fake/requests").text());

        assertThat(list).hasSize(1);
        JsonObject rec = list.getJsonObject(0);
        assertThat(rec.getString("method")).isEqualTo("POST");
        assertThat(rec.getString("path")).isEqualTo("/v1/images/generations");
        assertThat(rec.getJsonObject("headers").getString("authorization")).isEqualTo(BEARER);
        assertThat(rec.getString("body")).hasSize(AdminApi.BODY_PREVIEW);
        assertThat(rec.getBoolean("body_truncated")).isTrue();
        assertThat(rec.getInteger("body_size")).isGreaterThan(5000);
    }

    @Test
    void reset_over_http_clears_requests_and_restores_normal_behaviour() {
        fake.behave(Behaviour.normal().withFailStatus(500));
        generate("a");

        Http.Res res = admin("reset", new JsonObject());

        assertThat(res.status()).isEqualTo(200);
        assertThat(fake.requests()).isEmpty();
        assertThat(fake.behaviour()).isEqualTo(Behaviour.normal());
        assertThat(generate("b").status()).isEqualTo(200);
    }

    @Test
    void requests_are_kept_in_arrival_order() {
        for (int i = 0; i < 5; i++) {
            generate("p" + i);
        }

        assertThat(fake.requests()).extracting(r -> r.json().getString("prompt"))
                .containsExactly("p0", "p1", "p2", "p3", "p4");
    }

    @Test
    void concurrency_reports_the_most_vendor_calls_in_progress_at_once_and_reset_forgets_it() throws Exception {
        admin("behaviour", new JsonObject().put("latency_ms", 400));
        java.util.List<java.util.concurrent.CompletableFuture<Http.Res>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String prompt = "call " + i;
            calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> generate(prompt)));
        }
        calls.forEach(call -> assertThat(call.join().status()).isEqualTo(200));

        JsonObject seen = Http.get(fake.baseUrl() + "/_fake/concurrency").json();
        assertThat(seen.getInteger("max_in_flight")).isEqualTo(3);
        assertThat(seen.getInteger("in_flight")).isZero();
        assertThat(fake.maxInFlight()).isEqualTo(3);
        admin("reset", new JsonObject());
        assertThat(Http.get(fake.baseUrl() + "/_fake/concurrency").json().getInteger("max_in_flight")).isZero();
    }

    @Test
    void result_url_knobs_point_urls_elsewhere_and_serve_a_page_instead_of_the_image() {
        admin("behaviour", new JsonObject().put("result_url_base", "http://169.254.169.254")
                .put("result_not_image", true));
        Http.Res answer = Http.postJson(fake.baseUrl() + "/v1/images/generations",
                new JsonObject().put("model", "dall-e-2").put("prompt", "a fox").put("size", "256x256"),
                "Authorization", BEARER);

        String url = answer.json().getJsonArray("data").getJsonObject(0).getString("url");
        assertThat(url).startsWith("http://169.254.169.254/files/");
        Http.Res file = Http.get(fake.baseUrl() + url.substring("http://169.254.169.254".length()));
        assertThat(new String(file.body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("<!doctype html>");
    }
}
