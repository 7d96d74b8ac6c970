package io.vigil.policy.store;

import tools.jackson.databind.JsonNode;

/** One change of an object: who, when, which version, and the object before and after (secrets hidden). */
public record AuditEntry(long seq, String type, String id, long version, String op, String actor, long atMs,
    JsonNode before, JsonNode after) {}
