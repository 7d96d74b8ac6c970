package io.vigil.cmdb.instances;

/**
 * What one write did.
 *
 * @param storedVersion the version stored after the write (the newer one when it was ignored)
 * @param instance the instance as stored now; null when it is deleted
 */
public record WriteResult(String namespace, String region, String instanceId, WriteOutcome outcome,
    long storedVersion, Instance instance) {}
