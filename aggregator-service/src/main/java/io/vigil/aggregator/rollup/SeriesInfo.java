package io.vigil.aggregator.rollup;

import io.vigil.common.points.PointRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who a series is (namespace, region, metric, dimensions) and its unit and tenant: what a rollup
 * repeats of its points. Stored once per series, apart from the state that changes with every point,
 * so a point's write stays small.
 */
record SeriesInfo(String namespace, String region, String metric, Map<String, String> dimensions, String unit,
    String tenant) {

  private static final byte VERSION = 1;

  static SeriesInfo of(PointRecord record, PointRecord.Cursor p) {
    return new SeriesInfo(record.namespace(), record.region(), p.metric(), p.dimensions(), p.unit(), p.tenant());
  }

  /** Whether a point says the same of its series (unit and tenant can change; the identity cannot). */
  boolean sameAs(String pointUnit, String pointTenant) {
    return Objects.equals(unit, pointUnit) && Objects.equals(tenant, pointTenant);
  }

  byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeUTF(namespace);
      out.writeUTF(region);
      out.writeUTF(metric);
      out.writeUTF(unit == null ? "" : unit);
      out.writeUTF(tenant == null ? "" : tenant);
      out.writeShort(dimensions.size());
      for (Map.Entry<String, String> d : dimensions.entrySet()) {
        out.writeUTF(d.getKey());
        out.writeUTF(d.getValue());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SeriesInfo decode(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalStateException("series info version " + version + " (this build reads " + VERSION + ")");
      }
      String namespace = in.readUTF();
      String region = in.readUTF();
      String metric = in.readUTF();
      String unit = in.readUTF();
      String tenant = in.readUTF();
      int n = in.readShort();
      Map<String, String> dimensions = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        dimensions.put(in.readUTF(), in.readUTF());
      }
      return new SeriesInfo(namespace, region, metric, dimensions, unit.isEmpty() ? null : unit,
          tenant.isEmpty() ? null : tenant);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable series info", e);
    }
  }
}
