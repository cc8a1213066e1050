package io.imagegen.api.tasks;

import io.imagegen.common.errors.InvalidRequestException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code multipart/form-data} request ({@code /v1/images/edits}, {@code /v1/images/variations}) as the JSON body
 * {@link RequestParser} reads: text parts typed like their JSON counterparts, uploaded files as data URLs under
 * {@code image} (from {@code image} and {@code image[]}, in order) and {@code mask}, so uploads take exactly the
 * path of JSON edit inputs ({@link InputImages}). Every refusal names the part.
 */
public final class FormFields {
  /** One uploaded file part, as the HTTP layer read it. */
  public record Upload(String field, byte[] bytes) {
  }

  private FormFields() {
  }

  /** The JSON body of a form whose file parts may only be {@code fileFields}; encodes the files off the event loop. */
  public static Future<JsonObject> read(Vertx vertx, Map<String, List<String>> attributes, List<Upload> uploads,
      Set<String> fileFields) {
    JsonObject body = new JsonObject();
    try {
      for (String name : attributes.keySet()) {
        List<String> values = attributes.get(name);
        if (values.size() > 1) {
          throw InvalidRequestException.field(name, name + " is given more than once");
        }
        body.put(name, typed(name, values.get(0)));
      }
      for (Upload upload : uploads) {
        if (!fileFields.contains(upload.field())) {
          throw InvalidRequestException.field(upload.field(), upload.field() + " must be a text field, not a file");
        }
        if (upload.bytes().length == 0) {
          throw InvalidRequestException.field(upload.field(), upload.field() + " is an empty file");
        }
      }
      if (uploads.stream().filter(u -> u.field().equals("mask")).count() > 1) {
        throw InvalidRequestException.field("mask", "mask must be a single file");
      }
      if (uploads.stream().noneMatch(u -> u.field().startsWith("image"))) {
        throw InvalidRequestException.field("image", "image is required: upload it as a file part");
      }
    } catch (InvalidRequestException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> {
      JsonArray images = new JsonArray();
      for (Upload upload : uploads) {
        String dataUrl = "data:application/octet-stream;base64,"
            + Base64.getEncoder().encodeToString(upload.bytes());
        if (upload.field().equals("mask")) {
          body.put("mask", dataUrl);
        } else {
          images.add(dataUrl);
        }
      }
      return body.put("image", images);
    }, false);
  }

  /** A text part as the JSON value its field takes: numbers and booleans for the typed fields, text otherwise. */
  private static Object typed(String name, String value) {
    if (RequestParser.INTEGER_PARAMS.contains(name)) {
      try {
        return Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        throw InvalidRequestException.field(name, name + " must be an integer");
      }
    }
    if (RequestParser.BOOLEAN_PARAMS.contains(name)) {
      return switch (value.trim()) {
        case "true" -> true;
        case "false" -> false;
        default -> throw InvalidRequestException.field(name, name + " must be true or false");
      };
    }
    return value;
  }
}
