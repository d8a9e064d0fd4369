package io.edgenpu.scheduler.policy;

import io.edgenpu.scheduler.core.Sample;
import java.util.List;

/**
 * Read-only view of the batch on the device at a stage boundary, after exited samples were removed.
 *
 * @param completedStage the stage that just finished
 * @param live samples still in the batch (includes masked ones under {@link
 *     ExitHandling#MASK_UNTIL_END})
 * @param catchUp whether this is a preempting group still catching up
 */
public record RunningBatch(int completedStage, List<Sample> live, boolean catchUp) {
  public int size() {
    return live.size();
  }
}
