package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;

/** The version a Deployment runs: its 'version' label, else its first image's tag (Blue's is what it should report). */
public final class DeploymentVersion {
  public static final String LABEL = "version";

  private DeploymentVersion() {}

  public static String of(Deployment blue) {
    Map<String, String> labels = blue.getMetadata().getLabels();
    if (labels != null && labels.get(LABEL) != null) return labels.get(LABEL);
    String image = blue.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    int colon = image.lastIndexOf(':');
    return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : null;
  }
}
