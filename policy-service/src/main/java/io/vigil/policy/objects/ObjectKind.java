package io.vigil.policy.objects;

import io.vigil.common.control.ControlLookup;
import io.vigil.common.control.ControlTables;
import io.vigil.common.error.Violations;
import io.vigil.common.model.ControlChange.EntityType;

/**
 * What the store needs to know of one object type: how to complete, check and index it, and what of
 * it is secret. Checks live in the object's record in common (the same code readers run); a kind
 * adds what only the writer knows (the stored object before a change, references, the URL policy).
 */
public abstract class ObjectKind<T> {

  private final EntityType type;
  private final Class<T> bodyType;

  protected ObjectKind(EntityType type, Class<T> bodyType) {
    this.type = type;
    this.bodyType = bodyType;
    if (ControlTables.bodyType(type) != bodyType) {
      throw new IllegalStateException(type + " bodies are " + ControlTables.bodyType(type));
    }
  }

  public EntityType type() {
    return type;
  }

  public Class<T> bodyType() {
    return bodyType;
  }

  public String table() {
    return ControlTables.table(type);
  }

  public boolean global() {
    return ControlTables.isGlobal(type);
  }

  /** The object with absent settings at their defaults: what is stored and returned. */
  public T complete(T body) {
    return body;
  }

  /**
   * Records every bad field of {@code body} (completed). {@code before} is the stored object on an
   * update, null on a create.
   */
  public abstract void validate(T body, T before, String tenant, ControlLookup lookup, Violations v);

  /**
   * Records every reference to another object that does not exist (answered 422 rather than 400:
   * the request is well formed, the world it names is not).
   */
  public void references(T body, String tenant, ControlLookup lookup, Violations v) {}

  /** The id of a new object when its name is its id (products, namespaces); null for a generated id. */
  public String naturalId(T body) {
    return null;
  }

  /** The prefix of generated ids, e.g. {@code pol}. */
  public abstract String idPrefix();

  public abstract String name(T body);

  public String namespace(T body) {
    return null;
  }

  public String shard(T body) {
    return null;
  }

  public boolean enabled(T body) {
    return true;
  }

  /** The object as the API returns it and the audit trail keeps it: secrets hidden. */
  public T redacted(T body) {
    return body;
  }

  /**
   * An update that sends a secret back as shown ({@code <redacted>}) keeps the stored one; by
   * default there is no secret to keep.
   */
  public T keepSecrets(T incoming, T stored) {
    return incoming;
  }
}
