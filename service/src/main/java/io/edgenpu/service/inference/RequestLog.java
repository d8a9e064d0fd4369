package io.edgenpu.service.inference;

import io.edgenpu.scheduler.core.FailureReason;
import io.edgenpu.scheduler.core.Request;
import io.edgenpu.service.backend.ModelInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One INFO line per finished request on logger {@code edgenpu.requests}, when enabled ({@code
 * edgenpu.metrics.request-log=true}): the server's request id, the client's own {@code id}, model,
 * client, outcome and latencies, as key-value pairs (fields of their own in structured JSON logs,
 * {@code logging.structured.format.console=ecs}) and in the message. Off by default: it is a
 * hot-path cost.
 */
public final class RequestLog {
  private static final Logger LOG = LoggerFactory.getLogger("edgenpu.requests");

  private final boolean enabled;

  public RequestLog(boolean enabled) {
    this.enabled = enabled;
  }

  void completed(Request r, String clientRequestId, long queueNanos, long totalNanos) {
    if (enabled && LOG.isInfoEnabled()) {
      log(r, clientRequestId, "ok", totalNanos)
          .addKeyValue("queue_us", queueNanos / 1000)
          .log(
              "request {} ({}) on {}: ok in {} us",
              r.id(),
              clientRequestId,
              ModelInstance.versionKeyOf(r.model()),
              totalNanos / 1000);
    }
  }

  void failed(
      Request r, String clientRequestId, FailureReason reason, String message, long totalNanos) {
    if (enabled && LOG.isInfoEnabled()) {
      log(r, clientRequestId, reason.name(), totalNanos)
          .addKeyValue("error", message)
          .log(
              "request {} ({}) on {}: {} after {} us: {}",
              r.id(),
              clientRequestId,
              ModelInstance.versionKeyOf(r.model()),
              reason,
              totalNanos / 1000,
              message);
    }
  }

  private static LoggingEventBuilder log(
      Request r, String clientRequestId, String outcome, long totalNanos) {
    return LOG.atInfo()
        .addKeyValue("request_id", r.id())
        .addKeyValue("client_request_id", clientRequestId)
        .addKeyValue("model", ModelInstance.versionKeyOf(r.model()))
        .addKeyValue("client_id", r.clientId())
        .addKeyValue("outcome", outcome)
        .addKeyValue("latency_us", totalNanos / 1000);
  }
}
