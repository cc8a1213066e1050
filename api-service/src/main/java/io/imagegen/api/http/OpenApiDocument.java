package io.imagegen.api.http;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the bundled OpenAPI 3.1 document served at {@code /openapi.json}. */
final class OpenApiDocument {
  static final String RESOURCE = "/imagegen/openapi.json";

  private OpenApiDocument() {
  }

  static Buffer load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the api-service jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
