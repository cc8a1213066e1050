package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.imagegen.common.queue.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/k8s, rendered by kustomize and parsed strictly, agrees with what the services actually do. */
class KustomizeManifestsTest {
  private static final String API = "imagegen-api";
  private static final String WORKER = "imagegen-worker";
  /** The kafka trigger fields deploy/k8s may set (KEDA's Apache Kafka scaler); a typo would be ignored by KEDA. */
  private static final Set<String> KAFKA_TRIGGER_FIELDS = Set.of("bootstrapServers", "consumerGroup", "topic",
      "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers");

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void probesAskTheEndpointsAndPortsTheServicesServe(String dir) {
    Manifests m = Manifests.render(dir);
    Deployment api = m.one(Deployment.class, API);
    Container apiContainer = Workloads.container(api);
    int apiPort = CodeSettings.api(Workloads.environment(m, api)).integer("IMAGEGEN_HTTP_PORT");
    assertProbes(apiContainer, apiPort, "api-service");

    Deployment worker = m.one(Deployment.class, WORKER);
    Container workerContainer = Workloads.container(worker);
    int workerPort = CodeSettings.worker(Workloads.environment(m, worker)).integer("IMAGEGEN_WORKER_HTTP_PORT");
    assertProbes(workerContainer, workerPort, "worker-service");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void prometheusScrapesTheMetricsPortsTheServicesOpen(String dir) {
    Manifests m = Manifests.render(dir);
    Deployment api = m.one(Deployment.class, API);
    String apiMetricsPort = Workloads.environment(m, api).get("IMAGEGEN_API_METRICS_PORT");
    String apiSources = Repo.mainSources("api-service");
    assertThat(apiSources.contains("\"IMAGEGEN_API_METRICS_PORT\"") && apiSources.contains("\"/metrics\""))
        .as("api-service reads IMAGEGEN_API_METRICS_PORT and serves /metrics").isTrue();
    assertScrape(api, Integer.parseInt(apiMetricsPort));

    Deployment worker = m.one(Deployment.class, WORKER);
    int workerPort = CodeSettings.worker(Workloads.environment(m, worker)).integer("IMAGEGEN_WORKER_HTTP_PORT");
    assertThat(Repo.mainSources("worker-service").contains("\"/metrics\"")).as("worker-service serves /metrics").isTrue();
    assertScrape(worker, workerPort);
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void podsGetLongerToStopThanTheServicesDrain(String dir) {
    Manifests m = Manifests.render(dir);
    Deployment api = m.one(Deployment.class, API);
    Deployment worker = m.one(Deployment.class, WORKER);
    Duration apiDrain = CodeSettings.api(Workloads.environment(m, api)).duration("IMAGEGEN_SHUTDOWN_TIMEOUT");
    Duration workerDrain = CodeSettings.worker(Workloads.environment(m, worker)).duration("IMAGEGEN_SHUTDOWN_TIMEOUT");

    assertThat(Workloads.pod(api).getTerminationGracePeriodSeconds())
        .isGreaterThan(apiDrain.toSeconds() + preStopSeconds(Workloads.container(api)));
    assertThat(Workloads.pod(worker).getTerminationGracePeriodSeconds())
        .isGreaterThan(workerDrain.toSeconds() + preStopSeconds(Workloads.container(worker)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void kedaScalesWorkersOnTheirOwnGroupTopicAndBroker(String dir) {
    Manifests m = Manifests.render(dir);
    Deployment worker = m.one(Deployment.class, WORKER);
    Map<String, String> env = Workloads.environment(m, worker);
    CodeSettings settings = CodeSettings.worker(env);
    KafkaSettings kafka = settings.kafka();
    ScaledObject scaled = m.one(ScaledObject.class, WORKER);
    ScaledObject.Spec spec = scaled.spec();

    assertThat(spec.scaleTargetRef().name()).isEqualTo(WORKER);
    assertThat(spec.triggers()).hasSize(1);
    ScaledObject.Trigger trigger = spec.triggers().get(0);
    assertThat(trigger.type()).isEqualTo("kafka");
    assertThat(KAFKA_TRIGGER_FIELDS).containsAll(trigger.metadata().keySet());
    assertThat(trigger.metadata())
        .containsEntry("consumerGroup", settings.string("IMAGEGEN_WORKER_GROUP_ID"))
        .containsEntry("topic", kafka.jobsTopic())
        .containsEntry("bootstrapServers", kafka.bootstrapServers())
        .containsEntry("lagThreshold", Integer.toString(settings.integer("IMAGEGEN_WORKER_MAX_IN_FLIGHT")))
        .containsEntry("offsetResetPolicy", Repo.find(Repo.mainSources("worker-service"),
            "AUTO_OFFSET_RESET_CONFIG,\\s*\"([a-z]+)\"", "the worker's auto.offset.reset"))
        .containsKey("activationLagThreshold");
    assertThat(spec.minReplicaCount()).isBetween(1, spec.maxReplicaCount());
    assertThat(spec.maxReplicaCount()).as("workers beyond the partition count own nothing")
        .isLessThanOrEqualTo(kafka.partitions());
    long grace = Workloads.pod(worker).getTerminationGracePeriodSeconds();
    assertThat(spec.cooldownPeriod()).isGreaterThan((int) grace);
    var scaleDown = spec.advanced().horizontalPodAutoscalerConfig().behavior().getScaleDown();
    assertThat(scaleDown.getPolicies()).extracting(HPAScalingPolicy::getPeriodSeconds)
        .allSatisfy(period -> assertThat(period).as("one drain ends before the next begins").isGreaterThan((int) grace));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void apiScalesOnCpuAndBothServicesHaveDisruptionBudgets(String dir) {
    Manifests m = Manifests.render(dir);
    HorizontalPodAutoscaler hpa = m.one(HorizontalPodAutoscaler.class, API);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(API);
    assertThat(hpa.getSpec().getMetrics()).singleElement()
        .satisfies(metric -> assertThat(metric.getResource().getName()).isEqualTo("cpu"));
    assertThat(hpa.getSpec().getMinReplicas()).isBetween(1, hpa.getSpec().getMaxReplicas());
    for (String name : new String[] {API, WORKER}) {
      PodDisruptionBudget pdb = m.one(PodDisruptionBudget.class, name);
      Map<String, String> podLabels = m.one(Deployment.class, name).getSpec().getTemplate().getMetadata().getLabels();
      assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void ingressWaitsLongerThanLongPollsStreamsAndSyncRequests(String dir) {
    Manifests m = Manifests.render(dir);
    CodeSettings api = CodeSettings.api(Workloads.environment(m, m.one(Deployment.class, API)));
    long longest = Math.max(api.duration("IMAGEGEN_MAX_WAIT").toSeconds(),
        api.duration("IMAGEGEN_SYNC_WAIT_TIMEOUT").toSeconds());
    Map<String, String> annotations = m.one(Ingress.class, API).getMetadata().getAnnotations();

    assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout"))).isGreaterThan(longest);
    assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout"))).isGreaterThan(longest);
    assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void servicesRunAsTheImagesNonRootUserOnAReadOnlyRoot(String dir) {
    Manifests m = Manifests.render(dir);
    for (String name : new String[] {API, WORKER}) {
      Deployment deployment = m.one(Deployment.class, name);
      PodSpec pod = Workloads.pod(deployment);
      Container container = Workloads.container(deployment);
      String dockerfile = Images.dockerfileOf(container.getImage());
      String user = Repo.find(Repo.read(dockerfile), "(?m)^USER (\\d+)", dockerfile + "'s numeric USER");

      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.parseLong(user));
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(emptyDirMounts(pod, container)).as(name + " writes java.io.tmpdir").contains("/tmp");
      assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits()).containsKey("memory");
    }
    Deployment worker = m.one(Deployment.class, WORKER);
    String spool = Workloads.environment(m, worker).get("IMAGEGEN_SPOOL_DIR");
    assertThat(emptyDirMounts(Workloads.pod(worker), Workloads.container(worker))).contains(spool);
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void workersGetEveryVendorKeyTheCatalogNamesFromASecret(String dir) {
    Manifests m = Manifests.render(dir);
    Map<String, EnvVar> env = Workloads.container(m.one(Deployment.class, WORKER)).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, v -> v));
    for (String key : CodeSettings.catalogVendorKeys()) {
      assertThat(env).as("worker env").containsKey(key);
      assertThat(env.get(key).getValueFrom().getSecretKeyRef()).as(key + " comes from a Secret").isNotNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
  void imagesAreTheOnesTheDockerfilesBuild(String dir) {
    Manifests m = Manifests.render(dir);
    for (Deployment deployment : m.all(Deployment.class)) {
      String image = Workloads.container(deployment).getImage();
      if (image.startsWith("imagegen/")) {
        assertThat(Repo.path(Images.dockerfileOf(image))).exists();
      }
    }
    assertThat(Workloads.container(m.one(Deployment.class, API)).getImage()).startsWith("imagegen/api-service:");
    assertThat(Workloads.container(m.one(Deployment.class, WORKER)).getImage()).startsWith("imagegen/worker-service:");
  }

  @Test
  void productionReferencesSecretsWithoutCarryingAny() {
    assertThat(Manifests.render("overlays/production").all(Secret.class)).isEmpty();
  }

  @Test
  void localGeneratesEverySecretItsWorkloadsRequire() {
    Manifests m = Manifests.render("overlays/local");
    Set<String> secrets = m.all(Secret.class).stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    for (Deployment deployment : m.all(Deployment.class)) {
      for (EnvVar var : Workloads.container(deployment).getEnv()) {
        var ref = var.getValueFrom() == null ? null : var.getValueFrom().getSecretKeyRef();
        if (ref != null && !Boolean.TRUE.equals(ref.getOptional())) {
          assertThat(secrets).as(deployment.getMetadata().getName() + " needs " + ref.getName()).contains(ref.getName());
        }
      }
    }
  }

  private static void assertProbes(Container container, int port, String module) {
    String sources = Repo.mainSources(module);
    assertProbe(container, container.getStartupProbe(), "/livez", port, sources);
    assertProbe(container, container.getLivenessProbe(), "/livez", port, sources);
    assertProbe(container, container.getReadinessProbe(), "/readyz", port, sources);
  }

  private static void assertProbe(Container container, Probe probe, String path, int port, String sources) {
    assertThat(probe).as(container.getName() + " probe for " + path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(Workloads.port(container, probe.getHttpGet().getPort())).isEqualTo(port);
    assertThat(sources.contains("\"" + path + "\"")).as(container.getName() + "'s code serves " + path).isTrue();
  }

  private static void assertScrape(Deployment deployment, int port) {
    Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", Integer.toString(port)).containsEntry("prometheus.io/path", "/metrics");
    assertThat(Workloads.container(deployment).getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(port));
  }

  private static long preStopSeconds(Container container) {
    var lifecycle = container.getLifecycle();
    if (lifecycle == null || lifecycle.getPreStop() == null) {
      return 0;
    }
    assertThat(lifecycle.getPreStop().getSleep()).as("preStop is a sleep").isNotNull();
    return lifecycle.getPreStop().getSleep().getSeconds();
  }

  private static Set<String> emptyDirMounts(PodSpec pod, Container container) {
    Set<String> emptyDirs = pod.getVolumes().stream().filter(v -> v.getEmptyDir() != null).map(Volume::getName)
        .collect(Collectors.toSet());
    return container.getVolumeMounts().stream().filter(v -> emptyDirs.contains(v.getName()))
        .map(v -> v.getMountPath()).collect(Collectors.toSet());
  }
}
