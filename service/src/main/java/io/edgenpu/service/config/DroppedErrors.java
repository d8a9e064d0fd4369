package io.edgenpu.service.config;

import java.util.concurrent.RejectedExecutionException;
import reactor.core.publisher.Hooks;

/**
 * What Reactor does with an error no subscriber can take any more ("onErrorDropped"). By default it
 * logs it at ERROR, and the chaos soak fails on any unexpected ERROR line. One such error is a
 * known shutdown race, not a fault: while Spring's graceful shutdown disposes the HTTP server, a
 * connection's cancel is handed to a Netty event loop that has already terminated (its quiet period
 * is 0), and Netty rejects the task (seen once in the soak's SIGTERM phase, every request
 * answered). That one is logged at WARNING; every other dropped error keeps Reactor's ERROR line.
 */
public final class DroppedErrors {
  private static final System.Logger LOG = System.getLogger(DroppedErrors.class.getName());

  private DroppedErrors() {}

  /** Installs the hook (process-wide; call once at start-up). */
  public static void install() {
    Hooks.onErrorDropped(DroppedErrors::onDropped);
  }

  static void onDropped(Throwable e) {
    if (isTerminatedEventLoop(e)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "a signal was dropped after its event loop had terminated (shutdown): " + e);
    } else {
      LOG.log(System.Logger.Level.ERROR, "Operator called default onErrorDropped", e);
    }
  }

  /** Whether {@code e} (or a cause) is an executor's refusal because it has shut down. */
  static boolean isTerminatedEventLoop(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RejectedExecutionException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
