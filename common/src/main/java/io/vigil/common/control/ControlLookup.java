package io.vigil.common.control;

import io.vigil.common.model.ControlChange.EntityType;
import java.util.Optional;

/**
 * What a check needs to know of other control objects: a namespace's configuration, and whether a
 * referenced object of a tenant exists. policy-service answers from its tables inside the writing
 * transaction; a reader answers from its in-memory copy.
 */
public interface ControlLookup {

  Optional<NamespaceConfig> namespace(String name);

  /** Whether a live (not deleted) object of this type and id exists for the tenant. */
  boolean exists(EntityType type, String tenant, String id);
}
