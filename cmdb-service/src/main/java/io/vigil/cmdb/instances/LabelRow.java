package io.vigil.cmdb.instances;

/** A row of the search index {@code cmdb_labels}: kind {@code a} (attribute) or {@code t} (tag). */
public record LabelRow(String kind, String name, long valueHash, long instancePk) {}
