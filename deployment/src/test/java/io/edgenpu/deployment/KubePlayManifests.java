package io.edgenpu.deployment;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;

/**
 * The chart's Deployment and ConfigMap as {@code podman kube play} takes them, on standard output:
 * rendered by helm-java with the locally built image ({@code pullPolicy: Never}) and one
 * non-default setting in the ConfigMap ({@code edgenpu.limits.max-request-batch: 2}, which a test
 * can observe); the HTTP port is published on 127.0.0.1 (a Service would do that in a cluster).
 * Used by deployment/container-test.sh.
 *
 * <pre>java -cp ... io.edgenpu.deployment.KubePlayManifests IMAGE:TAG HOST_PORT</pre>
 */
public final class KubePlayManifests {
  private KubePlayManifests() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: KubePlayManifests IMAGE:TAG HOST_PORT");
      System.exit(2);
    }
    String image = args[0];
    int colon = image.lastIndexOf(':');
    RenderedChart chart =
        RenderedChart.render(
            null,
            Map.of(
                "image.repository",
                image.substring(0, colon),
                "image.tag",
                image.substring(colon + 1),
                "image.pullPolicy",
                "Never",
                "config.extra.edgenpu.limits.max-request-batch",
                2,
                // No Grafana beside podman: its dashboard ConfigMap would be a second ConfigMap.
                "grafanaDashboard.enabled",
                false));
    Deployment deployment = chart.one(Deployment.class);
    Container server = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    int httpPort = 0;
    for (ContainerPort p : server.getPorts()) {
      if ("http".equals(p.getName())) {
        p.setHostIP("127.0.0.1");
        p.setHostPort(Integer.parseInt(args[1]));
        httpPort = p.getContainerPort();
      }
    }
    // podman 4 turns an HTTP probe into a curl healthcheck but does not resolve a named port (it
    // probes port 0): give the probes the port's number, as Kubernetes would resolve it.
    for (Probe probe :
        new Probe[] {
          server.getStartupProbe(), server.getLivenessProbe(), server.getReadinessProbe()
        }) {
      if (probe != null && probe.getHttpGet() != null) {
        probe.getHttpGet().setPort(new IntOrString(httpPort));
      }
    }
    KubernetesSerialization yaml = new KubernetesSerialization();
    System.out.print(yaml.asYaml(chart.one(ConfigMap.class)));
    System.out.print(yaml.asYaml(deployment));
  }
}
