package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A Kustomize directory rendered by kubectl and parsed strictly into the Kubernetes model. */
final class Manifests {
  /** Every kind deploy/k8s may contain, by apiVersion and kind; anything else is a mistake. */
  private static final Map<String, Class<?>> KINDS = Map.ofEntries(
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/Service", Service.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("batch/v1/Job", Job.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
      Map.entry("keda.sh/v1alpha1/ScaledObject", ScaledObject.class));

  /**
   * Unknown fields fail. fabric8's classes collect unknown fields in an "additionalProperties" map through a
   * JSON any-setter, which would swallow a misspelt field silently, so any-setters are switched off.
   */
  static final ObjectMapper STRICT = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .annotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnySetter(Annotated member) {
          return Boolean.FALSE;
        }
      })
      .build();

  private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

  private final List<Object> objects;

  private Manifests(List<Object> objects) {
    this.objects = objects;
  }

  /** {@code kubectl kustomize deploy/k8s/<dir>}, parsed; rendered once per test run. */
  static Manifests render(String dir) {
    return RENDERED.computeIfAbsent(dir, d -> parse(Repo.kubectl("kustomize", "deploy/k8s/" + d), d));
  }

  /** Parses a multi-document YAML stream, failing on an unknown kind or field with the document named. */
  static Manifests parse(String yaml, String source) {
    List<Object> parsed = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = STRICT.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isEmpty()) {
          continue;
        }
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        String name = doc.path("metadata").path("name").asText();
        Class<?> type = KINDS.get(key);
        if (type == null) {
          fail(source + ": unexpected kind " + key + " (" + name + ")");
        }
        try {
          parsed.add(STRICT.treeToValue(doc, type));
        } catch (IOException e) {
          fail(source + ": " + key + " " + name + " does not match the Kubernetes model: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      fail(source + ": not valid YAML: " + e.getMessage());
    }
    return new Manifests(List.copyOf(parsed));
  }

  <T> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The one object of {@code type} named {@code name}, failing when there is none or more than one. */
  <T> T one(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(o -> name.equals(nameOf(o))).toList();
    if (found.size() != 1) {
      fail("expected one " + type.getSimpleName() + " named " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  private static String nameOf(Object o) {
    return o instanceof HasMetadata m ? m.getMetadata().getName()
        : o instanceof ScaledObject s ? s.metadata().getName() : null;
  }
}
