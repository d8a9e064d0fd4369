package io.edgenpu.deployment;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chart in helm/edgenpu rendered by helm-java (no helm binary, no cluster) and parsed into
 * fabric8 objects.
 */
final class RenderedChart {
  static final Path CHART = Path.of("..", "helm", "edgenpu");
  static final String RELEASE = "home";
  static final String NAMESPACE = "smart-home";
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  final String text;
  final List<HasMetadata> objects;

  private RenderedChart(String text, List<HasMetadata> objects) {
    this.text = text;
    this.objects = objects;
  }

  /** Renders with a values file from helm/edgenpu/ci (or none) and --set overrides. */
  static RenderedChart render(String ciValues, Map<String, Object> set) {
    TemplateCommand t = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (ciValues != null) {
      t = t.withValuesFile(CHART.resolve("ci").resolve(ciValues));
    }
    for (Map.Entry<String, Object> e : set.entrySet()) {
      t = t.set(e.getKey(), e.getValue());
    }
    String out = t.call();
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : out.split("(?m)^---\\s*$", -1)) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(YAML.unmarshal(doc, HasMetadata.class));
      }
    }
    return new RenderedChart(out, objects);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + type.getSimpleName() + ", rendered " + found.size());
    }
    return found.get(0);
  }

  Optional<HasMetadata> byKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).findFirst();
  }

  List<String> kinds() {
    return objects.stream().map(HasMetadata::getKind).sorted().toList();
  }
}
