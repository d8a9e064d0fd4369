package io.edgenpu.service.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgenpu.service.inference.InferenceException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Device classes, limits, and the bound on tracked self-declared client ids. */
class ClientPolicyTest {
  @Test
  void aFloodOfSelfDeclaredIdsDoesNotGrowWithoutBoundButConfiguredAndBusyClientsStay() {
    ClientPolicy p =
        new ClientPolicy(Map.of(), Map.of("front-door-lock", "critical"), "standard", 8, null);
    ClientPolicy.Client lock = p.client("front-door-lock");
    ClientPolicy.Client busy = p.client("busy-camera");
    busy.admit();
    for (int i = 0; i < 3 * ClientPolicy.MAX_TRACKED; i++) {
      p.client("spoofed-" + i);
    }
    assertThat(p.trackedClients())
        .isLessThanOrEqualTo(ClientPolicy.MAX_TRACKED + ClientPolicy.MAX_TRACKED / 4);
    assertThat(p.client("front-door-lock")).isSameAs(lock);
    assertThat(p.client("busy-camera")).isSameAs(busy);
    assertThat(lock.weight()).isEqualTo(4);
  }

  @Test
  void withManyBusyClientsTheSweepRunsOncePerQuarterOfTheLimitNotOnEveryRequest() {
    ClientPolicy p = new ClientPolicy(Map.of(), Map.of(), "standard", 8, null);
    for (int i = 0; i < ClientPolicy.MAX_TRACKED + 1; i++) {
      p.client("busy-" + i).admit(); // in flight: can never be forgotten
    }
    long sweeps = p.sweeps();
    for (int i = 0; i < 10_000; i++) {
      p.client("busy-" + (i % 100)); // known clients: no sweep at all
    }
    assertThat(p.sweeps()).isEqualTo(sweeps);
    for (int i = 0; i < ClientPolicy.MAX_TRACKED; i++) {
      p.client("new-" + i).admit();
    }
    assertThat(p.sweeps() - sweeps).isEqualTo(4);
  }

  @Test
  void inFlightAndRateLimitsRefuseWith429() {
    ClientPolicy p =
        new ClientPolicy(
            Map.of("slow", new ClientPolicy.DeviceClass(1, 0.1)),
            Map.of("bell", "slow"),
            "standard",
            2,
            null);
    ClientPolicy.Client bell = p.client("bell");
    bell.admit();
    assertThatThrownBy(bell::admit)
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.getMessage()).contains("rate limit"));
    ClientPolicy.Client cam = p.client("cam");
    cam.admit();
    cam.admit();
    assertThatThrownBy(cam::admit)
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.getMessage()).contains("in flight"));
    cam.done("success", null);
    cam.admit();
  }

  @Test
  void unknownClassesAreRefusedAtStart() {
    assertThatThrownBy(() -> new ClientPolicy(Map.of(), Map.of("x", "vip"), "standard", 1, null))
        .hasMessageContaining("unknown class 'vip'");
  }
}
