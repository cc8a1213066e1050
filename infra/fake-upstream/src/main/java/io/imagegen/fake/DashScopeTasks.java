package io.imagegen.fake;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * DashScope async tasks. State is derived from the clock rather than pushed by timers: PENDING for the
 * first third of the latency, RUNNING until it has passed, then SUCCEEDED or FAILED. Nothing to cancel on
 * close, and a poll always sees a state consistent with its own arrival time.
 */
final class DashScopeTasks {

    /** Which response family the task was submitted through. */
    enum Style { RESULTS, CHOICES }

    /** Everything a task needs, captured at submit so later knob changes do not rewrite history. */
    static final class Task {
        final String id = UUID.randomUUID().toString();
        final Style style;
        final Instant submitted = Instant.now();
        final long latencyMs;
        final int n;
        final String prompt;
        final boolean promptExtend;
        final Sizes.Size size;
        final String failCode;
        final String failMessage;
        final Future<List<PngFactory.Png>> images;
        private volatile boolean canceled;
        private List<String> urls;

        Task(Style style, Behaviour b, int n, String prompt, boolean promptExtend, Sizes.Size size,
             String failCode, String failMessage, Future<List<PngFactory.Png>> images) {
            this.style = style;
            this.latencyMs = b.latency().toMillis();
            this.n = n;
            this.prompt = prompt;
            this.promptExtend = promptExtend;
            this.size = size;
            this.failCode = failCode;
            this.failMessage = failMessage;
            this.images = images;
        }

        String status() {
            long elapsed = java.time.Duration.between(submitted, Instant.now()).toMillis();
            if (canceled) {
                return "CANCELED";
            }
            if (elapsed < latencyMs / 3) {
                return "PENDING";
            }
            if (elapsed < latencyMs) {
                return "RUNNING";
            }
            return failCode != null ? "FAILED" : "SUCCEEDED";
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final int MAX_TASKS = 50_000;

    private final Map<String, Task> tasks = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
            return size() > MAX_TASKS;
        }
    };
    /** Vendor tasks created per prompt since the last clear: what DashScope would bill, beyond the tasks' eviction. */
    private final Map<String, Integer> submits = new HashMap<>();
    private final FileStore files;

    DashScopeTasks(FileStore files) {
        this.files = files;
    }

    synchronized void add(Task t) {
        tasks.put(t.id, t);
        submits.merge(t.prompt, 1, Integer::sum);
    }

    /** Vendor tasks created per prompt since the last clear. */
    synchronized Map<String, Integer> submitsByPrompt() {
        return Map.copyOf(submits);
    }

    synchronized Task get(String id) {
        return tasks.get(id);
    }

    synchronized void clear() {
        tasks.clear();
        submits.clear();
    }

    /** Cancels a PENDING task, the only state DashScope lets one cancel. */
    boolean cancel(Task t) {
        synchronized (t) {
            if (!"PENDING".equals(t.status())) {
                return false;
            }
            t.canceled = true;
            return true;
        }
    }

    /** The task-query answer for the task's current state; completes once its images are encoded. */
    Future<JsonObject> render(RoutingContext ctx, Task t) {
        String status = t.status();
        JsonObject out = new JsonObject().put("task_id", t.id).put("task_status", status)
                .put("submit_time", TIME.format(t.submitted));
        JsonObject body = new JsonObject().put("request_id", UUID.randomUUID().toString()).put("output", out);
        if (!status.equals("PENDING") && !status.equals("CANCELED")) {
            out.put("scheduled_time", TIME.format(t.submitted.plusMillis(t.latencyMs / 3)));
        }
        switch (status) {
            case "RUNNING" -> {
                if (t.style == Style.RESULTS) {
                    out.put("task_metrics", metrics(t.n, 0, 0));
                }
                return Future.succeededFuture(body);
            }
            case "FAILED" -> {
                out.put("end_time", TIME.format(t.submitted.plusMillis(t.latencyMs)))
                        .put("code", t.failCode).put("message", t.failMessage);
                return Future.succeededFuture(body);
            }
            case "SUCCEEDED" -> {
                out.put("end_time", TIME.format(t.submitted.plusMillis(t.latencyMs)));
                return t.images.map(pngs -> succeeded(ctx, t, pngs, body, out));
            }
            default -> {
                return Future.succeededFuture(body);
            }
        }
    }

    private JsonObject succeeded(RoutingContext ctx, Task t, List<PngFactory.Png> pngs, JsonObject body,
                                 JsonObject out) {
        List<String> urls = urls(ctx, t, pngs);
        if (t.style == Style.RESULTS) {
            JsonArray results = new JsonArray();
            for (String url : urls) {
                JsonObject r = new JsonObject().put("orig_prompt", t.prompt);
                if (t.promptExtend) {
                    r.put("actual_prompt", t.prompt + ", highly detailed, soft natural light");
                }
                results.add(r.put("url", url));
            }
            out.put("results", results).put("task_metrics", metrics(t.n, urls.size(), t.n - urls.size()));
            body.put("usage", new JsonObject().put("image_count", urls.size()));
        } else {
            out.put("finished", true).put("choices", choices(urls));
            body.put("usage", new JsonObject().put("image_count", urls.size())
                    .put("size", t.size.width() + "*" + t.size.height()));
        }
        return body;
    }

    /** URLs are minted once per task so that every poll of a finished task returns the same links. */
    private List<String> urls(RoutingContext ctx, Task t, List<PngFactory.Png> pngs) {
        synchronized (t) {
            if (t.urls == null) {
                t.urls = pngs.stream().map(p -> files.put(ctx, p.bytes())).toList();
            }
            return t.urls;
        }
    }

    /** The {@code choices} form used by the messages-based endpoints: one choice per image. */
    static JsonArray choices(List<String> urls) {
        JsonArray choices = new JsonArray();
        for (String url : urls) {
            choices.add(new JsonObject().put("finish_reason", "stop").put("message", new JsonObject()
                    .put("role", "assistant")
                    .put("content", new JsonArray().add(new JsonObject().put("type", "image").put("image", url)))));
        }
        return choices;
    }

    private static JsonObject metrics(int total, int succeeded, int failed) {
        return new JsonObject().put("TOTAL", total).put("SUCCEEDED", succeeded).put("FAILED", failed);
    }
}
