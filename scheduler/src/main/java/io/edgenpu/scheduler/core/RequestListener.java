package io.edgenpu.scheduler.core;

/**
 * Receives the single final outcome of a {@link Request}. Called on the device's event loop thread,
 * so implementations must only hand the result off (complete a future, signal a sink), never block
 * or do heavy work.
 */
public interface RequestListener {
  /** Every sample of the request has exited; results are in each sample's state. */
  void onCompleted(Request request);

  /** The request failed; samples that already exited are discarded. */
  void onFailed(Request request, FailureReason reason, String message);

  /** Optional: one sample has exited (early or at the last stage). Default: nothing. */
  default void onSampleExited(Sample sample) {}
}
