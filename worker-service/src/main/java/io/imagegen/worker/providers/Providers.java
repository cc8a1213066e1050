package io.imagegen.worker.providers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The adapters a worker can route to, by catalog {@code provider} name. */
public final class Providers {
  private final Map<String, ImageProvider> byName = new HashMap<>();

  public Providers(List<ImageProvider> providers) {
    for (ImageProvider provider : providers) {
      if (byName.put(provider.name(), provider) != null) {
        throw new IllegalArgumentException("two providers are named " + provider.name());
      }
    }
  }

  public Optional<ImageProvider> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }
}
