package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import lms.rollback.plan.Environment;

/**
 * Whether Blue can take all the traffic: Blue's ready replicas against what it replaces — Green's ready replicas at this
 * moment — and the plan's minimum for the environment, whichever is larger (at least 1). Blue's own replica count is no
 * measure: a Blue scaled to 1 pod is "1/1 ready" and still cannot carry what 3 Green pods served.
 *
 * @param need where {@code required} comes from, in words ("Green serves with 3 ready; plan minimum 3")
 */
public record BlueCapacity(String deployment, int ready, int desired, int required, int greenReady, Integer planMinimum, String need) {

  /** Reads Blue's and Green's Deployments now; a Green with no Deployment serves nothing, so only the plan's minimum counts. */
  public static BlueCapacity of(ClusterSession cluster, Environment env) {
    Deployment blue = cluster.deployment(env.namespace(), env.blue().deployment());
    Deployment green = cluster.deploymentIfPresent(env.namespace(), env.green().deployment());
    return of(blue, green, env);
  }

  /** {@code green}: null when Green has no Deployment. */
  public static BlueCapacity of(Deployment blue, Deployment green, Environment env) {
    int greenReady = green == null ? 0 : ClusterSession.readyReplicas(green);
    Integer minimum = env.minBlueReadyReplicas();
    int required = Math.max(1, Math.max(greenReady, minimum == null ? 0 : minimum));
    String greenSide = green == null ? "Green's Deployment " + env.green().deployment() + " is absent" : "Green serves with " + greenReady + " ready";
    String floor = minimum == null ? "no plan minimum" + (required > greenReady ? ", so at least 1" : "") : "plan minimum " + minimum;
    return new BlueCapacity(blue.getMetadata().getName(), ClusterSession.readyReplicas(blue), ClusterSession.replicas(blue), required, greenReady,
        minimum, greenSide + "; " + floor);
  }

  public boolean sufficient() {
    return ready >= required;
  }

  public String describe() {
    return String.format("Deployment %s has %d/%d ready replicas; needs %d (%s)", deployment, ready, desired, required, need);
  }
}
