package io.edgenpu.experiments.fluid;

import io.edgenpu.npu.workload.Layer;
import io.edgenpu.npu.workload.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * The early-exit models of docs/papers/fluid-batching.md as NPU workloads (per-sample GEMM shapes;
 * ReLUs fused, residual adds and pooling as memory layers): M1 = ResNet-56 on CIFAR-100 with exits
 * after stage 1, stage 2, the middle of stage 3 and the end; M2 = ResNet-50 on ImageNet with exits
 * after conv2_x, conv3_x, conv4_x and the end. Exit heads are global average pooling + FC. Default
 * exit profiles (cumulative, [O]): M1 [0.40, 0.65, 0.80, 1.00], M2 [0.20, 0.40, 0.65, 1.00].
 */
public final class PaperModels {
  /** A workload with its default cumulative exit profile. */
  public record EeModel(String name, Workload workload, double[] exitProfile) {}

  private PaperModels() {}

  private static Layer conv(String name, long r, long p, long c, long inElems) {
    return Layer.gemm(name, "Conv", r, p, c, 1, inElems, r * c, p * c, true);
  }

  private static Layer add(String name, long elems) {
    return Layer.memory(name, "Add", 2 * elems, elems);
  }

  private static List<Layer> head(String name, long channels, long spatial, int classes) {
    return List.of(
        Layer.memory(name + "/pool", "GlobalAveragePool", channels * spatial, channels),
        Layer.gemm(
            name + "/fc",
            "Gemm",
            1,
            channels,
            classes,
            1,
            channels,
            classes,
            channels * classes,
            true));
  }

  /**
   * ResNet-56 basic block at spatial size hw (output), channels c, input channels cin, stride s.
   */
  private static void basicBlock(
      List<Layer> out, String name, long hw, long cin, long c, boolean down) {
    long r = hw * hw;
    long inHw = down ? hw * 2 : hw;
    out.add(conv(name + "/conv1", r, 9 * cin, c, inHw * inHw * cin));
    out.add(conv(name + "/conv2", r, 9 * c, c, r * c));
    if (down) {
      out.add(conv(name + "/shortcut", r, cin, c, inHw * inHw * cin));
    }
    out.add(add(name + "/add", r * c));
  }

  public static EeModel m1() {
    List<Layer> s0 = new ArrayList<>();
    s0.add(conv("conv1", 1024, 27, 16, 3072));
    for (int b = 0; b < 9; b++) {
      basicBlock(s0, "stage1/block" + b, 32, 16, 16, false);
    }
    List<Layer> s1 = new ArrayList<>();
    for (int b = 0; b < 9; b++) {
      basicBlock(s1, "stage2/block" + b, 16, b == 0 ? 16 : 32, 32, b == 0);
    }
    List<Layer> s2 = new ArrayList<>();
    List<Layer> s3 = new ArrayList<>();
    for (int b = 0; b < 9; b++) {
      basicBlock(b < 4 ? s2 : s3, "stage3/block" + b, 8, b == 0 ? 32 : 64, 64, b == 0);
    }
    Workload w =
        new Workload(
            "M1-resnet56-cifar100",
            List.of(
                new Workload.Stage("stage1", s0, head("exit0", 16, 1024, 100)),
                new Workload.Stage("stage2", s1, head("exit1", 32, 256, 100)),
                new Workload.Stage("stage3a", s2, head("exit2", 64, 64, 100)),
                new Workload.Stage("stage3b", s3, head("final", 64, 64, 100))));
    return new EeModel("M1", w, new double[] {0.40, 0.65, 0.80, 1.00});
  }

  /**
   * ResNet-50 bottleneck (v1: stride in the first 1x1), output spatial hw, width w, input channels
   * cin.
   */
  private static void bottleneck(
      List<Layer> out, String name, long hw, long cin, long w, boolean down, boolean stride) {
    long r = hw * hw;
    long inHw = stride ? hw * 2 : hw;
    out.add(conv(name + "/conv1", r, cin, w, inHw * inHw * cin));
    out.add(conv(name + "/conv2", r, 9 * w, w, r * w));
    out.add(conv(name + "/conv3", r, w, 4 * w, r * w));
    if (down) {
      out.add(conv(name + "/shortcut", r, cin, 4 * w, inHw * inHw * cin));
    }
    out.add(add(name + "/add", r * 4 * w));
  }

  public static EeModel m2() {
    List<Layer> s0 = new ArrayList<>();
    s0.add(conv("conv1", 12544, 147, 64, 150528));
    s0.add(Layer.memory("maxpool", "MaxPool", 12544 * 64, 3136 * 64));
    for (int b = 0; b < 3; b++) {
      bottleneck(s0, "conv2_" + b, 56, b == 0 ? 64 : 256, 64, b == 0, false);
    }
    List<Layer> s1 = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      bottleneck(s1, "conv3_" + b, 28, b == 0 ? 256 : 512, 128, b == 0, b == 0);
    }
    List<Layer> s2 = new ArrayList<>();
    for (int b = 0; b < 6; b++) {
      bottleneck(s2, "conv4_" + b, 14, b == 0 ? 512 : 1024, 256, b == 0, b == 0);
    }
    List<Layer> s3 = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      bottleneck(s3, "conv5_" + b, 7, b == 0 ? 1024 : 2048, 512, b == 0, b == 0);
    }
    Workload w =
        new Workload(
            "M2-resnet50-imagenet",
            List.of(
                new Workload.Stage("conv2_x", s0, head("exit0", 256, 3136, 1000)),
                new Workload.Stage("conv3_x", s1, head("exit1", 512, 784, 1000)),
                new Workload.Stage("conv4_x", s2, head("exit2", 1024, 196, 1000)),
                new Workload.Stage("conv5_x", s3, head("final", 2048, 49, 1000))));
    return new EeModel("M2", w, new double[] {0.20, 0.40, 0.65, 1.00});
  }

  /**
   * The same model with one scheduler step per layer (for preemption at every layer): each layer
   * becomes a stage of its own; a head's last layer carries the exit.
   */
  public static Workload perLayer(Workload w) {
    List<Workload.Stage> steps = new ArrayList<>();
    for (Workload.Stage s : w.stages()) {
      for (Layer l : s.layers()) {
        steps.add(new Workload.Stage(l.name(), List.of(l), List.of()));
      }
      List<Layer> head = s.exitHead();
      for (int i = 0; i < head.size(); i++) {
        steps.add(new Workload.Stage(head.get(i).name(), List.of(head.get(i)), List.of()));
      }
    }
    return new Workload(w.model() + "/per-layer", steps);
  }

  /** Exit flags of {@link #perLayer}'s steps: true on the last layer of each exit head. */
  public static boolean[] perLayerExits(Workload w) {
    List<Boolean> flags = new ArrayList<>();
    for (Workload.Stage s : w.stages()) {
      for (int i = 0; i < s.layers().size(); i++) {
        flags.add(false);
      }
      for (int i = 0; i < s.exitHead().size(); i++) {
        flags.add(i == s.exitHead().size() - 1);
      }
    }
    boolean[] out = new boolean[flags.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = flags.get(i);
    }
    return out;
  }
}
