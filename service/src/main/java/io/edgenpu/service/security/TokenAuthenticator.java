package io.edgenpu.service.security;

import io.edgenpu.service.config.EdgeNpuProperties;
import io.edgenpu.service.inference.Caller;
import io.edgenpu.service.inference.InferenceException;
import io.edgenpu.service.inference.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Device tokens: a request carries {@code Authorization: Bearer <token>} (HTTP, WebSocket
 * handshake) or the {@code authorization} metadata key (gRPC); the token's SHA-256 is compared, in
 * constant time, with the configured hashes. Only hashes are held; no token or hash is ever put in
 * a message or log. Thread-safe.
 */
public final class TokenAuthenticator {
  private static final String BEARER = "bearer ";

  private record Entry(byte[] sha256, Caller caller) {}

  private final boolean enabled;
  private final List<Entry> entries;

  public TokenAuthenticator(EdgeNpuProperties.Security settings) {
    this.enabled = settings.enabled();
    this.entries = settings.tokens().stream().map(TokenAuthenticator::entry).toList();
    if (enabled && entries.isEmpty()) {
      throw new IllegalArgumentException(
          "edgenpu.security.enabled=true needs at least one entry in edgenpu.security.tokens");
    }
  }

  private static Entry entry(EdgeNpuProperties.Token t) {
    if (t.device() == null || t.device().isBlank()) {
      throw new IllegalArgumentException("every edgenpu.security.tokens entry needs a device name");
    }
    if (t.sha256() == null || !t.sha256().matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException(
          "token of device '"
              + t.device()
              + "': sha256 must be 64 hex digits (the SHA-256 of the token)");
    }
    boolean admin =
        switch (t.role()) {
          case "admin" -> true;
          case "device" -> false;
          default ->
              throw new IllegalArgumentException(
                  "token of device '" + t.device() + "': role must be device or admin");
        };
    return new Entry(
        HexFormat.of().parseHex(t.sha256().toLowerCase(Locale.ROOT)),
        new Caller(t.device(), admin));
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * The caller of a request from its {@code Authorization} value (null when absent). Security off:
   * always {@link Caller#ANONYMOUS}. Otherwise a missing, malformed or unknown token is
   * UNAUTHENTICATED (401).
   */
  public Caller authenticate(@Nullable String authorization) {
    if (!enabled) {
      return Caller.ANONYMOUS;
    }
    if (authorization == null || authorization.isBlank()) {
      throw new InferenceException(
          Status.UNAUTHENTICATED, "a device token is required (Authorization: Bearer <token>)");
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new InferenceException(
          Status.UNAUTHENTICATED, "the Authorization value must be 'Bearer <token>'");
    }
    byte[] hash = sha256(authorization.substring(BEARER.length()).trim());
    Caller found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(
          e.sha256, hash)) { // constant time per entry; every entry is compared
        found = e.caller;
      }
    }
    if (found == null) {
      throw new InferenceException(Status.UNAUTHENTICATED, "unknown device token");
    }
    return found;
  }

  /** Throws PERMISSION_DENIED (403) unless the caller has the admin role. */
  public static void requireAdmin(Caller caller, String what) {
    if (!caller.admin()) {
      throw new InferenceException(
          Status.PERMISSION_DENIED, what + " needs a token with the admin role");
    }
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
