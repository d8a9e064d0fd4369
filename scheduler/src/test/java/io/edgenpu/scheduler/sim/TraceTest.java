package io.edgenpu.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A replayed trace is the schedule it was given, copied, and refuses one that goes back in time.
 */
class TraceTest {
  @Test
  void aReplayedTraceKeepsItsArrivalsDevicesAndExits() {
    long[] at = {0, 5, 5, 9};
    int[] dev = {0, 1, 0, 1};
    int[] exits = {0, 3, 1, 0};
    Trace t = Trace.replay(at, dev, exits, "given");
    at[1] = 99; // copied: the caller's array does not reach it
    assertThat(t.size()).isEqualTo(4);
    assertThat(t.arrival(1)).isEqualTo(5);
    assertThat(t.device(3)).isEqualTo(1);
    assertThat(t.exitStage(1)).isEqualTo(3);
    assertThat(t.span()).isEqualTo(9);
    assertThat(t.description()).isEqualTo("given");
  }

  @Test
  void arrivalsThatGoBackOrArraysOfDifferentLengthsAreRefused() {
    assertThatThrownBy(() -> Trace.replay(new long[] {3, 2}, new int[2], new int[2], "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 1");
    assertThatThrownBy(() -> Trace.replay(new long[] {1}, new int[2], new int[1], "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Trace.replay(new long[0], new int[0], new int[0], "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
