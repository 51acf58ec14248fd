package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import lms.rollback.plan.Environment;

/** Whether Blue can take all the traffic: enough of its replicas are ready. */
public record BlueCapacity(String deployment, int ready, int desired, int required) {

  public static BlueCapacity of(Deployment blue, Environment env) {
    int desired = ClusterSession.replicas(blue);
    int required = env.minBlueReadyReplicas() != null ? env.minBlueReadyReplicas() : Math.max(1, desired);
    return new BlueCapacity(blue.getMetadata().getName(), ClusterSession.readyReplicas(blue), desired, required);
  }

  public boolean sufficient() {
    return ready >= required;
  }

  public String describe() {
    return String.format("Deployment %s has %d/%d ready replicas (needs %d)", deployment, ready, desired, required);
  }
}
