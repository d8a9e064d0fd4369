package io.edgenpu.service.testing;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Installs BlockHound once per test JVM and records every blocking call made on a non-blocking
 * thread: Reactor Netty's event loops, Reactor's parallel scheduler, and Netty event loops (gRPC's
 * transport). Integration tests assert that the list stays empty. Only the self-test's threads get
 * BlockHound's error thrown: elsewhere an error thrown deep inside a server or client pipeline can
 * turn into a response that never comes (a test timing out with no cause), so there the call is
 * recorded and reported by the assertion.
 */
public final class BlockingCalls {
  private static final List<String> CALLS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private BlockingCalls() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    BlockHound.Builder builder = BlockHound.builder();
    // The builder alone knows no thread as non-blocking: load the Reactor and Netty integrations,
    // as
    // BlockHound.install() would.
    ServiceLoader.load(BlockHoundIntegration.class).forEach(builder::with);
    builder
        .blockingMethodCallback(
            m -> {
              String thread = Thread.currentThread().getName();
              StringBuilder where = new StringBuilder();
              int shown = 0;
              for (StackTraceElement e : new Throwable().getStackTrace()) {
                String c = e.getClassName();
                if (shown < 12
                    && !c.startsWith("reactor.blockhound")
                    && !c.startsWith("io.edgenpu.service.testing.BlockingCalls")
                    && !c.startsWith("java.util.concurrent.locks")
                    && !c.startsWith("jdk.internal")) {
                  where.append("\n      at ").append(e);
                  shown++;
                }
              }
              CALLS.add(m + " on " + thread + where);
              if (thread.contains(SELF_TEST_THREAD)) {
                throw new BlockingOperationError(m);
              }
            })
        .install();
  }

  /**
   * Thread-name prefix of the self-test that proves the detector works; its findings are not
   * violations.
   */
  public static final String SELF_TEST_THREAD = "blockhound-selftest";

  /** Blocking calls seen so far on the server's threads. */
  public static List<String> seen() {
    return CALLS.stream().filter(c -> !c.contains(SELF_TEST_THREAD)).toList();
  }

  /** Blocking calls seen on the self-test's threads. */
  public static List<String> seenBySelfTest() {
    return CALLS.stream().filter(c -> c.contains(SELF_TEST_THREAD)).toList();
  }
}
