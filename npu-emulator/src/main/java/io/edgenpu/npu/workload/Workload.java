package io.edgenpu.npu.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers of a model, grouped into the stages the scheduler runs one at a time (a plain model
 * has one stage; an early-exit stage includes its exit head's layers). Immutable.
 */
public record Workload(String model, List<Stage> stages) {
  public Workload {
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a workload needs at least one stage");
    }
  }

  /**
   * A stage: backbone layers, then the exit head's layers (empty when the stage has no exit head).
   */
  public record Stage(String name, List<Layer> layers, List<Layer> exitHead) {
    public Stage {
      layers = List.copyOf(layers);
      exitHead = List.copyOf(exitHead);
    }

    /** Backbone and exit head, in execution order. */
    public List<Layer> allLayers() {
      if (exitHead.isEmpty()) {
        return layers;
      }
      ArrayList<Layer> all = new ArrayList<>(layers);
      all.addAll(exitHead);
      return all;
    }

    public long macs() {
      long m = 0;
      for (Layer l : allLayers()) {
        m += l.macs();
      }
      return m;
    }
  }

  public int stageCount() {
    return stages.size();
  }

  public long macs() {
    long m = 0;
    for (Stage s : stages) {
      m += s.macs();
    }
    return m;
  }
}
