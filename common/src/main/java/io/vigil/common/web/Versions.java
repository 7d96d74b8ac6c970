package io.vigil.common.web;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;

/**
 * Versions as HTTP carries them: an object's ETag is its version ({@code "3"}), and a change names the
 * version it applies to with {@code If-Match: "3"}. The control plane and the cmdb use the same.
 */
public final class Versions {

  private Versions() {}

  public static long ifMatch(String header) {
    if (header == null || header.isBlank()) {
      throw new ApiException(ErrorCode.PRECONDITION_REQUIRED, "If-Match",
          "send If-Match with the version you read (the ETag of the object), so a concurrent change is not lost");
    }
    String v = header.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    try {
      long version = Long.parseLong(v);
      if (version > 0) {
        return version;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new ApiException(ErrorCode.INVALID_PARAMETER, "If-Match", "an ETag this API returned, e.g. \"3\"");
  }

  public static String etag(long version) {
    return "\"" + version + "\"";
  }
}
