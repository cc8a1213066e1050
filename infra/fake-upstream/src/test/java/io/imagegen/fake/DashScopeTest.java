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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.imagegen.fake.Http.BEARER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DashScopeTest {

    static final String ASYNC = "X-DashScope-Async";
    static FakeUpstream fake;
    static String synthesis;

    @BeforeAll
    static void start() {
        fake = FakeUpstream.start(0);
        synthesis = fake.baseUrl() + "/api/v1/services/aigc/text2image/image-synthesis";
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    static JsonObject t2i(String size, int n) {
        return new JsonObject().put("model", "wan2.2-t2i-flash")
                .put("input", new JsonObject().put("prompt", "a paper boat").put("negative_prompt", "blur"))
                .put("parameters", new JsonObject().put("size", size).put("n", n).put("seed", 1).put("watermark", false));
    }

    static String submit(JsonObject body) {
        Http.Res res = Http.postJson(synthesis, body, "Authorization", BEARER, ASYNC, "enable");
        assertThat(res.status()).isEqualTo(200);
        JsonObject output = res.json().getJsonObject("output");
        assertThat(output.getString("task_status")).isEqualTo("PENDING");
        assertThat(res.json().getString("request_id")).isNotBlank();
        return output.getString("task_id");
    }

    static JsonObject poll(String taskId) {
        Http.Res res = Http.get(fake.baseUrl() + "/api/v1/tasks/" + taskId, "Authorization", BEARER);
        assertThat(res.status()).isEqualTo(200);
        return res.json();
    }

    static String status(String taskId) {
        return poll(taskId).getJsonObject("output").getString("task_status");
    }

    @Test
    void a_submitted_task_goes_pending_then_running_then_succeeded_with_downloadable_results() {
        fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(900)));
        String id = submit(t2i("768*512", 2));

        assertThat(status(id)).isEqualTo("PENDING");
        await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(3))
                .until(() -> status(id).equals("RUNNING"));
        await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(3))
                .until(() -> status(id).equals("SUCCEEDED"));

        JsonObject body = poll(id);
        JsonObject out = body.getJsonObject("output");
        assertThat(out.getString("submit_time")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
        assertThat(out.getString("end_time")).isNotBlank();
        assertThat(out.getJsonObject("task_metrics").getInteger("SUCCEEDED")).isEqualTo(2);
        assertThat(body.getJsonObject("usage").getInteger("image_count")).isEqualTo(2);
        JsonArray results = out.getJsonArray("results");
        assertThat(results).hasSize(2);
        assertThat(results.getJsonObject(0).getString("orig_prompt")).isEqualTo("a paper boat");
        assertThat(results.getJsonObject(0).getString("actual_prompt")).startsWith("a paper boat");
        BufferedImage img = Http.png(Http.get(results.getJsonObject(0).getString("url")).body());
        assertThat(img.getWidth()).isEqualTo(768);
        assertThat(img.getHeight()).isEqualTo(512);
        assertThat(poll(id).getJsonObject("output").getJsonArray("results").getJsonObject(0).getString("url"))
                .as("repeated polls return the same links").isEqualTo(results.getJsonObject(0).getString("url"));
    }

    @Test
    void submitting_without_the_async_header_is_refused_the_way_dashscope_does() {
        Http.Res res = Http.postJson(synthesis, t2i("1024*1024", 1), "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(403);
        assertThat(res.json().getString("code")).isEqualTo("AccessDenied");
        assertThat(res.json().getString("message")).contains("does not support synchronous calls");
    }

    @Test
    void a_wrong_key_gets_invalid_api_key_on_submit_and_on_query() {
        Http.Res submit = Http.postJson(synthesis, t2i("1024*1024", 1), "Authorization", "Bearer nope", ASYNC, "enable");
        Http.Res query = Http.get(fake.baseUrl() + "/api/v1/tasks/x");

        assertThat(submit.status()).isEqualTo(401);
        assertThat(submit.json().getString("code")).isEqualTo("InvalidApiKey");
        assertThat(submit.json().getString("request_id")).isNotBlank();
        assertThat(query.status()).isEqualTo(401);
    }

    @Test
    void a_missing_prompt_is_invalid_parameter() {
        JsonObject body = t2i("1024*1024", 1).put("input", new JsonObject());

        Http.Res res = Http.postJson(synthesis, body, "Authorization", BEARER, ASYNC, "enable");

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.json().getString("code")).isEqualTo("InvalidParameter");
    }

    @Test
    void content_policy_ends_the_task_failed_with_data_inspection_failed() {
        fake.behave(Behaviour.normal().withContentPolicy(true));
        String id = submit(t2i("1024*1024", 1));

        JsonObject out = poll(id).getJsonObject("output");

        assertThat(out.getString("task_status")).isEqualTo("FAILED");
        assertThat(out.getString("code")).isEqualTo("DataInspectionFailed");
        assertThat(out.getString("message")).isNotBlank();
    }

    @Test
    void task_fail_code_ends_tasks_failed_with_that_code() {
        fake.behave(Behaviour.normal().withTaskFailCode("InternalError.Algo"));

        JsonObject out = poll(submit(t2i("1024*1024", 1))).getJsonObject("output");

        assertThat(out.getString("task_status")).isEqualTo("FAILED");
        assertThat(out.getString("code")).isEqualTo("InternalError.Algo");
    }

    @Test
    void unknown_task_ids_report_unknown() {
        assertThat(status("no-such-task")).isEqualTo("UNKNOWN");
    }

    @Test
    void a_pending_task_can_be_canceled_and_then_reports_canceled() {
        fake.behave(Behaviour.normal().withLatency(Duration.ofSeconds(30)));
        String id = submit(t2i("1024*1024", 1));

        Http.Res cancel = Http.send(Http.request(fake.baseUrl() + "/api/v1/tasks/" + id + "/cancel",
                "Authorization", BEARER).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());

        assertThat(cancel.status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("CANCELED");
    }

    @Test
    void task_queries_beyond_the_qps_limit_are_throttled_and_recover_a_second_later() {
        fake.behave(Behaviour.normal().withDashscopeQueryQps(5));
        String id = submit(t2i("64*64", 1));

        List<CompletableFuture<Integer>> burst = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            burst.add(CompletableFuture.supplyAsync(() ->
                    Http.get(fake.baseUrl() + "/api/v1/tasks/" + id, "Authorization", BEARER).status()));
        }
        List<Integer> statuses = burst.stream().map(CompletableFuture::join).toList();

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(5);
        assertThat(statuses).filteredOn(s -> s == 429).hasSize(7);
        Http.Res throttled = Http.get(fake.baseUrl() + "/api/v1/tasks/" + id, "Authorization", BEARER);
        assertThat(throttled.json().getString("code")).isEqualTo("Throttling.RateQuota");
        await().pollDelay(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(250)).atMost(Duration.ofSeconds(3))
                .until(() -> Http.get(fake.baseUrl() + "/api/v1/tasks/" + id, "Authorization", BEARER).status() == 200);
    }

    @Test
    void the_default_query_limit_is_twenty_per_second() {
        String id = submit(t2i("64*64", 1));

        long ok = java.util.stream.IntStream.range(0, 25).parallel()
                .map(i -> Http.get(fake.baseUrl() + "/api/v1/tasks/" + id, "Authorization", BEARER).status())
                .filter(s -> s == 200).count();

        assertThat(ok).isEqualTo(20);
    }

    @Test
    void failing_submits_carry_dashscope_codes_and_retry_after_then_succeed() {
        fake.behave(Behaviour.normal().withFailStatus(503).withFailTimes(1).withRetryAfterSeconds(5));

        Http.Res first = Http.postJson(synthesis, t2i("64*64", 1), "Authorization", BEARER, ASYNC, "enable");
        Http.Res second = Http.postJson(synthesis, t2i("64*64", 1), "Authorization", BEARER, ASYNC, "enable");

        assertThat(first.status()).isEqualTo(503);
        assertThat(first.header("retry-after")).hasValue("5");
        assertThat(first.json().getString("code")).isEqualTo("ModelUnavailable");
        assertThat(second.status()).isEqualTo(200);
    }

    @Test
    void created_tasks_are_counted_per_prompt_and_a_refused_submit_is_not() {
        fake.behave(Behaviour.normal().withFailStatus(503).withFailTimes(1));
        Http.postJson(synthesis, t2i("64*64", 1), "Authorization", BEARER, ASYNC, "enable");
        submit(t2i("64*64", 1));
        submit(t2i("64*64", 1));
        submit(t2i("64*64", 1).put("input", new JsonObject().put("prompt", "a kite")));

        assertThat(fake.dashScopeSubmits()).containsOnly(Map.entry("a paper boat", 2), Map.entry("a kite", 1));
        fake.reset();
        assertThat(fake.dashScopeSubmits()).isEmpty();
    }

    @Test
    void empty_data_succeeds_with_no_results() {
        fake.behave(Behaviour.normal().withEmptyData(true));

        JsonObject out = poll(submit(t2i("64*64", 1))).getJsonObject("output");

        assertThat(out.getString("task_status")).isEqualTo("SUCCEEDED");
        assertThat(out.getJsonArray("results")).isEmpty();
    }

    @Test
    void the_messages_endpoint_runs_async_tasks_answering_choices() {
        JsonObject body = new JsonObject().put("model", "wan2.7-image-pro")
                .put("input", new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
                        .put("content", new JsonArray().add(new JsonObject().put("text", "a kite"))))))
                .put("parameters", new JsonObject().put("size", "1K").put("n", 1));

        Http.Res res = Http.postJson(fake.baseUrl() + "/api/v1/services/aigc/image-generation/generation", body,
                "Authorization", BEARER, ASYNC, "enable");
        JsonObject out = poll(res.json().getJsonObject("output").getString("task_id")).getJsonObject("output");

        assertThat(out.getString("task_status")).isEqualTo("SUCCEEDED");
        String url = out.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("content").getJsonObject(0).getString("image");
        assertThat(Http.png(Http.get(url).body()).getWidth()).isEqualTo(1024);
    }

    @Test
    void the_multimodal_endpoint_answers_synchronously_for_qwen_image() {
        JsonObject body = new JsonObject().put("model", "qwen-image-plus")
                .put("input", new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
                        .put("content", new JsonArray().add(new JsonObject().put("text", "a poster"))))))
                .put("parameters", new JsonObject().put("watermark", false));

        Http.Res res = Http.postJson(fake.baseUrl() + "/api/v1/services/aigc/multimodal-generation/generation", body,
                "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().getJsonObject("usage").getInteger("width")).isEqualTo(1328);
        String url = res.json().getJsonObject("output").getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getJsonArray("content").getJsonObject(0).getString("image");
        assertThat(Http.png(Http.get(url).body()).getHeight()).isEqualTo(1328);
    }

    @Test
    void malformed_body_also_corrupts_task_queries() {
        String id = submit(t2i("64*64", 1));
        fake.behave(Behaviour.normal().withMalformedBody(true));

        Http.Res res = Http.get(fake.baseUrl() + "/api/v1/tasks/" + id, "Authorization", BEARER);

        assertThat(res.status()).isEqualTo(200);
        org.assertj.core.api.Assertions.assertThatThrownBy(res::json).isInstanceOf(RuntimeException.class);
    }
}
