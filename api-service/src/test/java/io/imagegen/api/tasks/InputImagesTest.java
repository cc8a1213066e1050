package io.imagegen.api.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.fetch.FetchPolicy;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.vertx.core.Vertx;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Edit inputs land privately under the task's prefix, and a refused request leaves none of them behind. */
class InputImagesTest {
  private static final String PNG = "data:image/png;base64," + Base64.getEncoder().encodeToString(
      new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0});
  private static final String NOT_AN_IMAGE = Base64.getEncoder().encodeToString("plain text".getBytes());

  private final Vertx vertx = Vertx.vertx();
  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final InputImages inputs = new InputImages(new SafeFetcher(vertx, FetchPolicy.images()), objects);
  private final ModelSpec model = ModelCatalog.load(null).find("gpt-image-1").orElseThrow();

  @AfterEach
  void closeVertx() {
    vertx.close();
  }

  @Test
  void everyInputIsStoredPrivatelyUnderItsTaskInRequestOrder() {
    var keys = inputs.store("image_1", model, List.of(PNG, PNG), null);

    assertThat(keys.result().imageKeys()).containsExactly("inputs/image_1/0", "inputs/image_1/1");
    assertThat(objects.object("inputs/image_1/0").publicObject()).isFalse();
    assertThat(objects.object("inputs/image_1/0").contentType()).isEqualTo("image/png");
  }

  @Test
  void aRefusedInputRemovesTheInputsAlreadyStored() {
    var keys = inputs.store("image_1", model, List.of(PNG, NOT_AN_IMAGE), null);

    assertThat(keys.cause()).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("image[1] is not a PNG, JPEG, WebP or GIF image");
    assertThat(objects.keys()).isEmpty();
  }
}
