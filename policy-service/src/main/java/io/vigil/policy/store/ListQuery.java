package io.vigil.policy.store;

/** What a list narrows by, and where its page starts. Null fields do not narrow. */
public record ListQuery(String namespace, String namePrefix, Boolean enabled, String cursor, int limit) {}
