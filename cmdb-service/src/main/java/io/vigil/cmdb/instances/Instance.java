package io.vigil.cmdb.instances;

import java.util.Map;

/**
 * A live instance as the API answers it.
 *
 * @param tenant the value of the namespace's tenant dimension among the attributes
 * @param version the writer's external version of this state
 * @param source who wrote it: {@code product:<name>} or {@code operator:<name>}
 */
public record Instance(String namespace, String region, String instanceId, String tenant, long version,
    String source, Map<String, String> attributes, Map<String, String> tags, long createdAtMs, long updatedAtMs) {

  /**
   * A committed change, as the cache and the relay hear of it.
   *
   * @param instance the instance as stored; null when it was deleted
   */
  public record Change(InstanceKey key, Instance instance, long version) {}

  public InstanceKey key() {
    return new InstanceKey(namespace, region, instanceId);
  }
}
