package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.fail;

import java.util.Map;

/** Which Dockerfile builds an image: the compose service that builds it names both (deploy/docker-compose.yml). */
final class Images {
  private Images() {
  }

  /** The repository-relative Dockerfile of {@code image} (any tag), failing when compose builds no such image. */
  @SuppressWarnings("unchecked")
  static String dockerfileOf(String image) {
    String repository = repository(image);
    for (Map<String, Object> service : Compose.services().values()) {
      Object named = service.get("image");
      if (named != null && repository(named.toString()).equals(repository)
          && service.get("build") instanceof Map<?, ?> build) {
        // Compose resolves the context against deploy/; ours is the repository root ("..").
        String context = String.valueOf(((Map<String, Object>) build).get("context"));
        if (!"..".equals(context)) {
          fail(repository + ": expected build context .. in " + Compose.FILE + ", got " + context);
        }
        return String.valueOf(((Map<String, Object>) build).get("dockerfile"));
      }
    }
    fail(Compose.FILE + " builds no image named " + repository + ", which deploy/k8s runs");
    return null;
  }

  static String repository(String image) {
    int colon = image.lastIndexOf(':');
    return colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
  }
}
