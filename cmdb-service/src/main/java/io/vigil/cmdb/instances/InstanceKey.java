package io.vigil.cmdb.instances;

import io.vigil.common.control.Names;
import io.vigil.common.error.Violations;
import java.util.regex.Pattern;

/**
 * What names an instance: its namespace ({@code product/family}), region and own id. Written {@code
 * namespace/region/instanceId}, the key of {@code cmdb.changes}; none of the parts after the
 * namespace holds a slash, so the form is unambiguous.
 */
public record InstanceKey(String namespace, String region, String instanceId) {

  /** An instance's own id: a cloud resource id, a host name, a pod name. */
  public static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");

  /** The key as {@code cmdb.changes} and the cache write it. */
  public String text() {
    return namespace + "/" + region + "/" + instanceId;
  }

  /** Names every bad part, prefixed by {@code at} ({@code items[3].}). */
  public static void check(Violations v, String at, String namespace, String region, String instanceId) {
    check(v, at, namespace, region, instanceId, null, null);
  }

  /**
   * The same, remembering the namespaces and the regions found good (each in a set of its own): the
   * keys of one look-up mostly share them, and a regex match per part of 1,000 keys was a good share
   * of what a look-up allocated.
   */
  public static void check(Violations v, String at, String namespace, String region, String instanceId,
      java.util.Set<String> goodNamespaces, java.util.Set<String> goodRegions) {
    if (goodNamespaces == null || namespace == null || !goodNamespaces.contains(namespace)) {
      if (v.check(Names.matches(Names.NAMESPACE, namespace), at + "namespace", "product/family, e.g. qce/cvm")
          && goodNamespaces != null) {
        goodNamespaces.add(namespace);
      }
    }
    if (goodRegions == null || region == null || !goodRegions.contains(region)) {
      if (v.check(Names.matches(Names.SLUG, region), at + "region", "a region name, e.g. ap-guangzhou")
          && goodRegions != null) {
        goodRegions.add(region);
      }
    }
    v.check(validId(instanceId), at + "instanceId",
        "1-128 of letters, digits and _ . : @ -, starting with a letter or digit");
  }

  /** {@link #INSTANCE_ID}, checked by hand (no matcher made per key). */
  public static boolean validId(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && (i == 0 || c != '_' && c != '.' && c != ':' && c != '@' && c != '-')) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text();
  }
}
