package io.vigil.gateway.ingest;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Prometheus remote-write 1.0 {@code WriteRequest} (protobuf, already decompressed) into
 * samples: for each {@code TimeSeries} its labels ({@code __name__} is the metric) and its samples
 * (value, timestamp ms). Exemplars, histograms and metadata are skipped. The wire format is read by
 * hand (a few dozen lines) rather than through generated protobuf classes: the message is small and
 * fixed by the spec, and every length is checked against the body.
 */
final class RemoteWriteDecoder {

  /** One series of the request with its samples. */
  record Series(String metric, Map<String, String> labels, long[] timestamps, double[] values, int count) {}

  private final byte[] b;
  private int pos;

  private RemoteWriteDecoder(byte[] b) {
    this.b = b;
  }

  static List<Series> decode(byte[] body) {
    RemoteWriteDecoder d = new RemoteWriteDecoder(body);
    List<Series> out = new ArrayList<>();
    while (d.pos < body.length) {
      long tag = d.varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == 1 && wire == 2) {
        int len = d.length();
        out.add(d.timeSeries(d.pos + len));
      } else {
        d.skip(wire);
      }
    }
    return out;
  }

  private Series timeSeries(int end) {
    Map<String, String> labels = new HashMap<>();
    String metric = null;
    long[] ts = new long[4];
    double[] vs = new double[4];
    int n = 0;
    while (pos < end) {
      long tag = varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == 1 && wire == 2) {
        int stop = pos + length();
        String name = null;
        String value = "";
        while (pos < stop) {
          long t = varint();
          if ((t >>> 3) == 1 && (t & 7) == 2) {
            name = string();
          } else if ((t >>> 3) == 2 && (t & 7) == 2) {
            value = string();
          } else {
            skip((int) (t & 7));
          }
        }
        if (name == null) {
          throw bad("a label without a name");
        }
        if (name.equals("__name__")) {
          metric = value;
        } else {
          labels.put(name, value);
        }
      } else if (field == 2 && wire == 2) {
        int stop = pos + length();
        double value = Double.NaN;
        long timestamp = 0;
        while (pos < stop) {
          long t = varint();
          if ((t >>> 3) == 1 && (t & 7) == 1) {
            value = Double.longBitsToDouble(fixed64());
          } else if ((t >>> 3) == 2 && (t & 7) == 0) {
            timestamp = varint();
          } else {
            skip((int) (t & 7));
          }
        }
        if (n == ts.length) {
          ts = java.util.Arrays.copyOf(ts, n * 2);
          vs = java.util.Arrays.copyOf(vs, n * 2);
        }
        ts[n] = timestamp;
        vs[n] = value;
        n++;
      } else {
        skip(wire);
      }
    }
    if (pos != end) {
      throw bad("a series runs past its length");
    }
    return new Series(metric, labels, ts, vs, n);
  }

  private long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= b.length) {
        throw bad("the body ends inside a varint");
      }
      int x = b[pos++] & 0xFF;
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw bad("a varint longer than 10 bytes");
  }

  private int length() {
    long len = varint();
    if (len < 0 || pos + len > b.length) {
      throw bad("a length past the end of the body");
    }
    return (int) len;
  }

  private long fixed64() {
    if (pos + 8 > b.length) {
      throw bad("the body ends inside a double");
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[pos + i] & 0xFF); // little-endian
    }
    pos += 8;
    return v;
  }

  private String string() {
    int len = length();
    String s = new String(b, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  private void skip(int wire) {
    switch (wire) {
      case 0 -> varint();
      case 1 -> {
        if (pos + 8 > b.length) {
          throw bad("the body ends inside a field");
        }
        pos += 8;
      }
      case 2 -> pos += length();
      case 5 -> {
        if (pos + 4 > b.length) {
          throw bad("the body ends inside a field");
        }
        pos += 4;
      }
      default -> throw bad("wire type " + wire + " is not protobuf's");
    }
  }

  private static ApiException bad(String why) {
    return new ApiException(ErrorCode.MALFORMED_BODY, null, "not a remote-write WriteRequest: " + why);
  }
}
