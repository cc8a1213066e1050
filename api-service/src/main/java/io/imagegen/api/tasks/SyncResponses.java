package io.imagegen.api.tasks;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.ImageData;
import io.imagegen.common.tasks.TaskResult;
import io.imagegen.common.tasks.TaskView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The OpenAI images response for a finished synchronous request, with images inline when asked for b64_json. */
final class SyncResponses {
  private SyncResponses() {
  }

  static Future<JsonObject> render(TaskResult result, String responseFormat, ObjectStore objects) {
    JsonObject body = TaskView.result(result);
    if (!"b64_json".equals(responseFormat)) {
      return Future.succeededFuture(body);
    }
    List<Future<String>> encoded = new ArrayList<>();
    for (ImageData image : result.data()) {
      encoded.add(objects.get(image.storageKey()).compose(found -> found == null
          ? Future.failedFuture(new UnavailableException(ErrorCode.IMAGE_MISSING, "a generated image is missing from storage",
              null))
          : Future.succeededFuture(Base64.getEncoder().encodeToString(found.value()))));
    }
    return Future.all(encoded).map(all -> {
      JsonArray data = body.getJsonArray("data");
      for (int i = 0; i < data.size(); i++) {
        JsonObject item = data.getJsonObject(i);
        item.remove("url");
        item.put("b64_json", all.<String>resultAt(i));
      }
      return body;
    });
  }
}
