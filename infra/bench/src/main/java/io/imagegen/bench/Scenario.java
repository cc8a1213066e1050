package io.imagegen.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** One benchmark: starts what it needs, measures, and reports rows plus details for the JSON file. */
interface Scenario {
  String id();

  String title();

  void run(Context context, Outcome outcome) throws Exception;

  /** What every scenario shares: the load generator's Vert.x and HTTP client, and the run mode. */
  record Context(Vertx vertx, HttpClient http, boolean quick) {
    BenchApi api(BenchStack stack) {
      return new BenchApi(http, stack.apiBase(), stack.apiKey());
    }

    /** {@code full} normally, {@code quick} for the CI smoke run. */
    double pick(double full, double quick) {
      return this.quick ? quick : full;
    }

    int pick(int full, int quick) {
      return this.quick ? quick : full;
    }
  }

  /** What a scenario produced; {@code details} goes to the JSON file only. */
  final class Outcome {
    final List<Result> results = new ArrayList<>();
    final JsonObject details = new JsonObject();
    String error;
    double seconds;

    void add(Result result) {
      results.add(result);
    }

    void detail(String key, Object value) {
      details.put(key, value);
    }
  }
}
