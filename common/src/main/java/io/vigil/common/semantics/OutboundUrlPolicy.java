package io.vigil.common.semantics;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where Vigil may send a request on an operator's behalf (webhooks, chat bots): checked when the URL
 * is saved and again, after DNS, right before each send, so a name that later resolves to an
 * internal address (DNS rebinding) is refused too. The sender connects to the addresses this policy
 * returned.
 *
 * <p>Refused unless explicitly allowed: loopback, link-local (which holds the cloud metadata address
 * 169.254.169.254), private and unique-local ranges, carrier-grade NAT (100.64.0.0/10), multicast,
 * the unspecified address, IPv4 addresses mapped into IPv6, and the well-known metadata host names.
 * Only {@code https} unless {@code http} is allowed; no user info in the URL.
 */
public final class OutboundUrlPolicy {

  /** Resolves a host name to its addresses (the JDK's resolver in production, a table in tests). */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** A URL that passed, with the addresses the sender must connect to. */
  public record Target(URI uri, List<InetAddress> addresses) {}

  private static final List<String> METADATA_HOSTS = List.of("metadata.google.internal", "metadata",
      "instance-data", "metadata.azure.internal");

  private final boolean allowHttp;
  private final List<Cidr> allowed;
  private final Resolver resolver;

  /**
   * @param allowHttp whether plain {@code http} is allowed (for local sinks in development)
   * @param allowedCidrs ranges allowed although internal, e.g. {@code 127.0.0.1/32} for a local test sink
   */
  public OutboundUrlPolicy(boolean allowHttp, List<String> allowedCidrs, Resolver resolver) {
    this.allowHttp = allowHttp;
    this.allowed = allowedCidrs == null ? List.of() : allowedCidrs.stream().map(Cidr::parse).toList();
    this.resolver = resolver;
  }

  public static OutboundUrlPolicy strict() {
    return new OutboundUrlPolicy(false, List.of(), InetAddress::getAllByName);
  }

  /** Checks a URL and resolves it; throws {@link ApiException} naming {@code field} when it may not be called. */
  public Target check(String field, String url) {
    URI uri;
    try {
      uri = new URI(url == null ? "" : url);
    } catch (URISyntaxException e) {
      throw refuse(field, "not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
      throw refuse(field, allowHttp ? "only http and https URLs" : "only https URLs");
    }
    if (uri.getRawUserInfo() != null) {
      throw refuse(field, "no user name or password in the URL");
    }
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      throw refuse(field, "the URL has no host");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (METADATA_HOSTS.contains(bare.toLowerCase(Locale.ROOT))) {
      throw refuse(field, "a cloud metadata host");
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(bare);
    } catch (UnknownHostException e) {
      throw refuse(field, "the host does not resolve: " + bare);
    }
    List<InetAddress> checked = new ArrayList<>();
    for (InetAddress a : addresses) {
      String why = internal(a);
      if (why != null && allowed.stream().noneMatch(c -> c.contains(a))) {
        throw refuse(field, "the host resolves to " + why + " address " + a.getHostAddress());
      }
      checked.add(a);
    }
    if (checked.isEmpty()) {
      throw refuse(field, "the host does not resolve: " + bare);
    }
    return new Target(uri, List.copyOf(checked));
  }

  /** Why an address is internal (a word for the message), or null for a public one. */
  static String internal(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "a loopback";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local (metadata)";
    }
    if (a.isSiteLocalAddress()) {
      return "a private";
    }
    if (a.isAnyLocalAddress()) {
      return "an unspecified";
    }
    if (a.isMulticastAddress()) {
      return "a multicast";
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 100 && second >= 64 && second <= 127) {
        return "a carrier-grade NAT";
      }
      if (first == 0) {
        return "a this-network";
      }
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return "a unique-local";
      }
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return "an IPv4-mapped";
      }
    }
    return null;
  }

  private static ApiException refuse(String field, String why) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, field, "this URL may not be called: " + why);
  }

  /** An address range, e.g. {@code 127.0.0.1/32} or {@code fd00::/8}. */
  record Cidr(byte[] network, int bits) {

    static Cidr parse(String text) {
      String[] parts = text.split("/", 2);
      try {
        byte[] net = InetAddress.getByName(parts[0]).getAddress();
        int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : net.length * 8;
        if (bits < 0 || bits > net.length * 8) {
          throw new IllegalArgumentException("bad prefix length in " + text);
        }
        return new Cidr(net, bits);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("not an address range: " + text, e);
      }
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
