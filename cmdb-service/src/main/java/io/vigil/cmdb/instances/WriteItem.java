package io.vigil.cmdb.instances;

import java.util.Map;

/**
 * One validated write: an upsert of the instance's attributes and tags at {@code version}, or its
 * deletion at {@code version} (a tombstone).
 *
 * @param tenant the tenant the attributes name (null for a delete)
 * @param ifMatch the stored version an operator's read-modify-write expects, or null
 */
public record WriteItem(InstanceKey key, long version, boolean delete, String tenant, Map<String, String> attributes,
    Map<String, String> tags, Long ifMatch) {}
