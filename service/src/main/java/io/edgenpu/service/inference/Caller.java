package io.edgenpu.service.inference;

import org.jspecify.annotations.Nullable;

/**
 * Who sent a request, as the transport established it.
 *
 * @param device the authenticated device name (from its token), or null when security is off
 * @param admin whether the caller may manage the repository and configuration
 */
public record Caller(@Nullable String device, boolean admin) {
  /** Security off: nobody is authenticated, everyone may do everything. */
  public static final Caller ANONYMOUS = new Caller(null, true);

  public boolean authenticated() {
    return device != null;
  }
}
