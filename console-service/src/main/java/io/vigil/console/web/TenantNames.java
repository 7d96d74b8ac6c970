package io.vigil.console.web;

import io.vigil.common.control.Names;

/** A tenant id as the control plane accepts it (common's rule), checked before it goes into a path. */
final class TenantNames {

  private TenantNames() {}

  static boolean valid(String tenant) {
    return tenant != null && Names.matches(Names.TENANT, tenant);
  }
}
