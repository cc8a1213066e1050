package io.imagegen.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;
import java.util.Map;

/** The fields of KEDA's {@code ScaledObject} (keda.sh/v1alpha1) that deploy/k8s uses; any other field fails. */
record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(ScaleTargetRef scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
      Integer minReplicaCount, Integer maxReplicaCount, Advanced advanced, List<Trigger> triggers) {
  }

  record ScaleTargetRef(String apiVersion, String kind, String name) {
  }

  record Advanced(HorizontalPodAutoscalerConfig horizontalPodAutoscalerConfig) {
  }

  record HorizontalPodAutoscalerConfig(HorizontalPodAutoscalerBehavior behavior) {
  }

  /** A trigger; {@code metadata} is free-form in KEDA, so its keys are checked by the tests. */
  record Trigger(String type, Map<String, String> metadata) {
  }
}
