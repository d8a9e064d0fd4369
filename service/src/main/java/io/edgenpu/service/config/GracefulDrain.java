package io.edgenpu.service.config;

import io.edgenpu.service.inference.InferenceService;
import io.edgenpu.service.repository.ModelRepository;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Graceful shutdown, first of all stop steps: readiness turns false and new inference requests are
 * refused with 503 + Retry-After (so a load balancer moves traffic away), then the requests already
 * accepted are drained (answered) for up to {@code edgenpu.shutdown.drain-timeout}; only then does
 * the web server's own graceful shutdown run and the devices close. Requests still unanswered at
 * the timeout are failed by the devices' shutdown (503), never dropped silently.
 */
public final class GracefulDrain implements SmartLifecycle {
  private static final System.Logger LOG = System.getLogger(GracefulDrain.class.getName());

  private final ServerState state;
  private final InferenceService inference;
  private final Duration timeout;
  private volatile boolean running;

  private final ModelRepository repository;

  public GracefulDrain(
      ServerState state, InferenceService inference, ModelRepository repository, Duration timeout) {
    this.repository = repository;
    this.state = state;
    this.inference = inference;
    this.timeout = timeout;
  }

  /** Starting (again, after a stop) admits requests again. */
  @Override
  public void start() {
    state.stopDraining();
    inference.resumeAdmitting();
    repository.thaw();
    running = true;
  }

  /** A paused context (Spring's test-context pausing) is not shutting down: do not drain then. */
  @Override
  public boolean isPauseable() {
    return false;
  }

  @Override
  public void stop() {
    state.startDraining();
    inference.startDraining();
    repository.freeze();
    long deadline = System.nanoTime() + timeout.toNanos();
    int last = -1;
    while (inference.inFlight() > 0 && System.nanoTime() < deadline) {
      int now = inference.inFlight();
      if (now != last) {
        LOG.log(System.Logger.Level.INFO, "draining: " + now + " requests in flight");
        last = now;
      }
      try {
        Thread.sleep(10); // shutdown thread polling a counter; bounded by the drain timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (inference.inFlight() > 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "drain timeout: " + inference.inFlight() + " requests still in flight");
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops before everything else (the web server's graceful shutdown included). */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }
}
