package io.edgenpu.service.backend;

import io.edgenpu.api.tensor.Tensor;
import io.edgenpu.repository.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request whose samples are the rows of its input tensors (plain and early-exit models). */
final class RowRequest implements PreparedRequest {
  /** Above this many output bytes in all, assembly leaves the completing thread. */
  private static final long CHEAP_BYTES = 64 * 1024;

  private final List<SampleState> samples;

  RowRequest(Map<String, Tensor> inputs, int batch, double exitThreshold) {
    List<SampleState> states = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      Map<String, Tensor> row = new HashMap<>();
      for (Map.Entry<String, Tensor> in : inputs.entrySet()) {
        row.put(in.getKey(), batch == 1 ? in.getValue() : in.getValue().sliceRows(i, i + 1));
      }
      states.add(new SampleState(row, exitThreshold));
    }
    this.samples = List.copyOf(states);
  }

  @Override
  public List<SampleState> samples() {
    return samples;
  }

  @Override
  public int inferences() {
    return samples.size();
  }

  @Override
  public Map<String, Tensor> outputs(List<TensorSpec> requested) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (TensorSpec spec : requested) {
      if (samples.size() == 1) {
        out.put(spec.name(), output(samples.get(0), spec));
        continue;
      }
      List<Tensor> rows = new ArrayList<>(samples.size());
      for (SampleState s : samples) {
        rows.add(output(s, spec));
      }
      out.put(spec.name(), Tensor.concatRows(rows));
    }
    return out;
  }

  private static Tensor output(SampleState s, TensorSpec spec) {
    Map<String, Tensor> outputs = s.outputs();
    Tensor t = outputs == null ? null : outputs.get(spec.name());
    if (t == null) {
      throw new IllegalStateException("sample produced no output '" + spec.name() + "'");
    }
    return t;
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of();
  }

  @Override
  public boolean cheapToAssemble() {
    long bytes = 0;
    for (SampleState s : samples) {
      Map<String, Tensor> outputs = s.outputs();
      if (outputs != null) {
        for (Tensor t : outputs.values()) {
          bytes += t.rawByteSize();
        }
      }
    }
    return bytes <= CHEAP_BYTES;
  }
}
