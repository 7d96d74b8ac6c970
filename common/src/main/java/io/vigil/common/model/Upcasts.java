package io.vigil.common.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import tools.jackson.databind.node.ObjectNode;

/**
 * The steps that read a message written at its type's previous schema version: each turns the
 * previous version's JSON tree into the current shape (rename a field, split one, fill a new
 * required one), then the current record binds it as usual. A breaking change of a type bumps its
 * {@code SCHEMA_VERSION} and registers its step here in the same change; readers then accept both
 * versions while producers move on. No type has a second version today, so {@link #CONTRACT} is
 * empty.
 */
public final class Upcasts {

  /** The steps of Vigil's own message types. */
  public static final Upcasts CONTRACT = new Upcasts();

  private final Map<Class<?>, UnaryOperator<ObjectNode>> steps = new ConcurrentHashMap<>();

  /** Registers how a tree of {@code type}'s previous version becomes its current shape. */
  public Upcasts register(Class<?> type, UnaryOperator<ObjectNode> fromPrevious) {
    if (steps.putIfAbsent(type, fromPrevious) != null) {
      throw new IllegalStateException("a second upcast step for " + type.getSimpleName());
    }
    return this;
  }

  /** The step from the previous version of {@code type}, or null. */
  public UnaryOperator<ObjectNode> fromPrevious(Class<?> type) {
    return steps.get(type);
  }
}
