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
    v.check(Names.matches(Names.NAMESPACE, namespace), at + "namespace", "product/family, e.g. qce/cvm");
    v.check(Names.matches(Names.SLUG, region), at + "region", "a region name, e.g. ap-guangzhou");
    v.check(instanceId != null && INSTANCE_ID.matcher(instanceId).matches(), at + "instanceId",
        "1-128 of letters, digits and _ . : @ -, starting with a letter or digit");
  }

  @Override
  public String toString() {
    return text();
  }
}
