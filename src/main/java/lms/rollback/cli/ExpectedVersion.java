package lms.rollback.cli;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;

/** The version Blue should report: its Deployment's 'version' label, else its first image's tag. */
final class ExpectedVersion {
  static final String LABEL = "version";

  private ExpectedVersion() {}

  static String of(Deployment blue) {
    Map<String, String> labels = blue.getMetadata().getLabels();
    if (labels != null && labels.get(LABEL) != null) return labels.get(LABEL);
    String image = blue.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    int colon = image.lastIndexOf(':');
    return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : null;
  }
}
