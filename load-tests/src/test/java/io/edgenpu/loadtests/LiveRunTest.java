package io.edgenpu.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The live client's requests and its reading of the service's timeline; the cameras' views. */
class LiveRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aRequestCarriesTheImageAsFp32InUnitRangeAndAsksForItsTimeline() throws Exception {
    byte[] images = new byte[2 * LiveRun.PIXELS];
    images[LiveRun.PIXELS] = (byte) 255; // image 1, first pixel white
    images[LiveRun.PIXELS + 1] = (byte) 51;
    JsonNode body = JSON.readTree(LiveRun.body(images, 1, "r-7"));
    assertThat(body.get("id").asString()).isEqualTo("r-7");
    assertThat(body.at("/parameters/timeline").asBoolean()).isTrue();
    JsonNode input = body.at("/inputs/0");
    assertThat(input.get("datatype").asString()).isEqualTo("FP32");
    assertThat(input.get("data")).hasSize(LiveRun.PIXELS);
    assertThat(input.get("data").get(0).asDouble()).isEqualTo(1.0);
    assertThat(input.get("data").get(1).asDouble())
        .isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void theServicesOwnTimeIsReadFromTheTimelinesResponseEvent() {
    String answer =
        "{\"model_name\":\"m\",\"parameters\":{\"timeline\":\"[{\\\"t_us\\\":0.0,\\\"event\\\":"
            + "\\\"arrival\\\"},{\\\"t_us\\\":2873.7,\\\"event\\\":\\\"response\\\"}]\"}}";
    assertThat(new LiveRun.Answer(200, answer).serviceNanos()).isEqualTo(2_873_700L);
    assertThat(new LiveRun.Answer(504, "{\"error\":\"late\"}").serviceNanos()).isEqualTo(-1);
  }

  @Test
  void everyCameraSeesEveryHeldOutViewOncePerPassInItsOwnOrder() {
    HeldOutImages views = HeldOutImages.shipped();
    assertThat(views.size()).isEqualTo(360);
    Iterator<Map<String, Object>> a = views.feeder(1);
    Iterator<Map<String, Object>> b = views.feeder(2);
    Set<Object> seen = new HashSet<>();
    boolean differs = false;
    for (int i = 0; i < views.size(); i++) {
      Map<String, Object> x = a.next();
      seen.add(x.get("image"));
      differs |= !x.get("image").equals(b.next().get("image"));
      assertThat(((String) x.get("pixels")).split(",")).hasSize(HeldOutImages.PIXELS);
    }
    assertThat(seen).hasSize(views.size());
    assertThat(differs).isTrue();
  }
}
