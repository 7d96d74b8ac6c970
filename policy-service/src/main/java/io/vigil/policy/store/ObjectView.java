package io.vigil.policy.store;

/**
 * A stored object as the API returns it: its identity and version with the object itself ({@code
 * spec}, secrets hidden). {@code version} is what the next change must name in {@code If-Match}.
 */
public record ObjectView<T>(String id, String tenant, long version, long createdAtMs, long updatedAtMs,
    String updatedBy, T spec) {}
