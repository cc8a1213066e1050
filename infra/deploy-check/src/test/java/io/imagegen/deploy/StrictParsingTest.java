package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The parser behind KustomizeManifestsTest refuses what the API server would reject or silently drop. */
class StrictParsingTest {
  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: demo
      spec:
        %s: 2
        selector:
          matchLabels: {app: demo}
        template:
          metadata:
            labels: {app: demo}
          spec:
            containers:
              - name: demo
                image: demo
      """;

  @Test
  void aWellFormedDeploymentParses() {
    Manifests parsed = Manifests.parse(DEPLOYMENT.formatted("replicas"), "test");
    assertThat(parsed.one(Deployment.class, "demo").getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void aMisspeltFieldFailsInsteadOfLandingInAdditionalProperties() {
    assertThatThrownBy(() -> Manifests.parse(DEPLOYMENT.formatted("replica"), "test"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("replica");
  }

  @Test
  void anUnknownScaledObjectFieldFails() {
    String scaled = """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: demo}
        spec:
          scaleTargetRef: {name: demo}
          maxReplicas: 3
        """;
    assertThatThrownBy(() -> Manifests.parse(scaled, "test")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("maxReplicas");
  }

  @Test
  void anUnexpectedKindFails() {
    assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "test"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("v1/Pod");
  }
}
