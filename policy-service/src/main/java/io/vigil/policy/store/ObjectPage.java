package io.vigil.policy.store;

import java.util.List;

/** One page of a list; {@code nextCursor} fetches the next, null on the last page. */
public record ObjectPage<T>(List<ObjectView<T>> items, String nextCursor) {}
