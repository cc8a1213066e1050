package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reading a rendered Deployment the way the kubelet would start its container. */
final class Workloads {
  private Workloads() {
  }

  static PodSpec pod(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  static Container container(Deployment deployment) {
    var containers = pod(deployment).getContainers();
    if (containers.size() != 1) {
      fail(deployment.getMetadata().getName() + " should run exactly one container");
    }
    return containers.get(0);
  }

  /** The plain values the container's environment gets: ConfigMaps from envFrom, then literal env (which wins). */
  static Map<String, String> environment(Manifests manifests, Deployment deployment) {
    Container container = container(deployment);
    Map<String, String> env = new HashMap<>();
    for (EnvFromSource from : container.getEnvFrom() == null ? List.<EnvFromSource>of() : container.getEnvFrom()) {
      if (from.getConfigMapRef() != null) {
        String name = from.getConfigMapRef().getName();
        ConfigMap map = manifests.all(ConfigMap.class).stream()
            .filter(c -> c.getMetadata().getName().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError(deployment.getMetadata().getName() + " reads ConfigMap " + name
                + ", which the render does not contain"));
        env.putAll(map.getData());
      }
    }
    for (EnvVar var : container.getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      }
    }
    return env;
  }

  /** The container port a probe or Service names, resolved from a port name if need be. */
  static int port(Container container, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort).findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + port.getStrVal()));
  }
}
