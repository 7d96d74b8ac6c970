package io.vigil.cmdb.instances;

import java.util.Collection;
import java.util.Map;

/**
 * What a search asks for; every condition present must hold.
 *
 * @param tenants the tenants the caller reads, or null for all (services, platform admins)
 * @param product only this product's namespaces (a product credential reading its own), or null
 * @param attributes attribute values that must be equal
 * @param tags tag values that must be equal
 */
public record InstanceQuery(String namespace, String region, Collection<String> tenants, String product,
    Map<String, String> attributes, Map<String, String> tags) {

  /** Whether the row's content holds every attribute and tag asked for (the index matched hashes). */
  public boolean matches(Instance i) {
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      if (!e.getValue().equals(i.attributes().get(e.getKey()))) {
        return false;
      }
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (!e.getValue().equals(i.tags().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
