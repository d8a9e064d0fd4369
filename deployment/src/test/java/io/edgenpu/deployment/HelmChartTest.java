package io.edgenpu.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart: strict lint, and three value scenarios (defaults, production-like, minimal)
 * rendered and checked as typed Kubernetes objects: probes on the OIP health endpoints, security
 * context, graceful termination matching the drain, the service configuration, and the optional
 * objects.
 */
class HelmChartTest {
  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"default-values.yaml", "production-values.yaml", "minimal-values.yaml"})
  void everyScenarioRendersAServerThatIsProbedSecuredAndDrained(String scenario) {
    RenderedChart chart = RenderedChart.render(scenario, Map.of());
    Deployment d = chart.one(Deployment.class);
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8000", "grpc:8001");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/tmp", "/config");
    assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    // The grace period covers the preStop sleep and the service's drain, with a margin.
    ConfigMap config =
        chart.all(ConfigMap.class).stream()
            .filter(m -> m.getData().containsKey("application.yaml"))
            .findFirst()
            .orElseThrow();
    String yaml = config.getData().get("application.yaml");
    int sleep = Integer.parseInt(c.getLifecycle().getPreStop().getExec().getCommand().get(1));
    int drain = Integer.parseInt(yaml.replaceAll("(?s).*drain-timeout: (\\d+)s.*", "$1"));
    assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(sleep + drain + 10L);
    // The pod rolls when the configuration changes.
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey("checksum/config");
    Service s = chart.one(Service.class);
    assertThat(s.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("http:8000", "grpc:8001");
    assertThat(s.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void defaultsRenderTheCoreObjectsAndNothingOptional() throws IOException {
    RenderedChart chart = RenderedChart.render("default-values.yaml", Map.of());
    assertThat(chart.kinds())
        .containsExactly(
            "ConfigMap",
            "ConfigMap",
            "Deployment",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount");
    Deployment d = chart.one(Deployment.class);
    assertThat(d.getMetadata().getName()).isEqualTo("home-edgenpu");
    assertThat(d.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/edgenpu/edge-npu-serving:0.1.0");
    String yaml =
        chart.all(ConfigMap.class).stream()
            .filter(m -> m.getData().containsKey("application.yaml"))
            .findFirst()
            .orElseThrow()
            .getData()
            .get("application.yaml");
    assertThat(yaml)
        .contains(
            "model-repository: /app/models/repository",
            "default-device: npu",
            "drain-timeout: 15s",
            "port: 8000",
            "port: 8001");
    // The `helm test` pod: helm-java's template leaves test hooks out, so read its template
    // instead.
    String testPod =
        Files.readString(RenderedChart.CHART.resolve("templates/tests/test-connection.yaml"));
    assertThat(testPod)
        .contains("\"helm.sh/hook\": test", "/v2/health/ready", "include \"edgenpu.fullname\"");
    // The Grafana dashboard ships as a labelled ConfigMap with the JSON of helm/edgenpu/dashboards.
    ConfigMap dashboard =
        chart.all(ConfigMap.class).stream()
            .filter(m -> m.getMetadata().getName().endsWith("-dashboard"))
            .findFirst()
            .orElseThrow();
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getData().get("edgenpu-serving.json"))
        .contains("edgenpu_request_duration_seconds_bucket");
    assertThat(chart.one(PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
  }

  @Test
  void productionScenarioScalesMonitorsAndRestricts() {
    RenderedChart chart = RenderedChart.render("production-values.yaml", Map.of());
    Deployment d = chart.one(Deployment.class);
    assertThat(d.getSpec().getReplicas()).as("the HPA owns the replica count").isNull();
    HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
    assertThat(hpa.getSpec().getMetrics())
        .extracting(m -> m.getType())
        .containsExactly("Resource", "Pods");
    assertThat(hpa.getSpec().getMetrics().get(1).getPods().getMetric().getName())
        .isEqualTo("edgenpu_device_queued_samples");
    assertThat(chart.byKind("ServiceMonitor")).isPresent();
    assertThat(chart.text).contains("path: /actuator/prometheus", "release: prometheus");
    NetworkPolicy np = chart.one(NetworkPolicy.class);
    assertThat(
            np.getSpec()
                .getIngress()
                .get(0)
                .getFrom()
                .get(0)
                .getNamespaceSelector()
                .getMatchLabels())
        .containsEntry("kubernetes.io/metadata.name", "smart-home");
    assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(50L);
    String yaml =
        chart.all(ConfigMap.class).stream()
            .filter(m -> m.getData().containsKey("application.yaml"))
            .findFirst()
            .orElseThrow()
            .getData()
            .get("application.yaml");
    assertThat(yaml)
        .contains(
            "front-door-lock: critical", "enabled: true", "role: device", "drain-timeout: 30s");
  }

  @Test
  void minimalScenarioLeavesTheOptionalObjectsOut() {
    RenderedChart chart = RenderedChart.render("minimal-values.yaml", Map.of());
    assertThat(chart.kinds()).containsExactly("ConfigMap", "Deployment", "Service");
    Deployment d = chart.one(Deployment.class);
    assertThat(d.getMetadata().getName()).isEqualTo("home-inference");
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("default");
    assertThat(chart.one(ConfigMap.class).getData().get("application.yaml"))
        .contains("default-device: cpu", "model-repository: /models");
  }

  @Test
  void theSchemaRefusesUnknownKeysAndBadValues() {
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("replicaCout", 2)))
        .hasMessageContaining("replicaCout");
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("config.defaultDevice", "gpu")))
        .hasMessageContaining("defaultDevice");
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("service.httpPort", 70000)))
        .hasMessageContaining("httpPort");
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("image.pullPolicy", "Sometimes")))
        .hasMessageContaining("pullPolicy");
  }
}
