package io.edgenpu.service.testing;

import io.edgenpu.npu.onnx.OnnxProtos;
import io.edgenpu.npu.onnx.proto.OnnxProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny ONNX models written from Java for deterministic tests, and a temporary model repository that
 * holds them next to copies of the shipped models.
 *
 * <ul>
 *   <li>{@code affine}: plain, y = 2x + 1 on FP32 [N, 4] — outputs are easy to predict per request;
 *   <li>{@code echo-int}: plain, y = x on INT64 [N, 3];
 *   <li>{@code ee-toy}: early-exit, 4 stages of y = x·I (a 64x64 identity MatMul, so the NPU cost
 *       model gives each stage real work) over FP32 [N, 64], each followed by a softmax head; a
 *       sample exits at the first exit whose max probability reaches 0.9 — an input with one
 *       element at 20 and the rest 0 exits at once, all zeros runs to the end;
 *   <li>{@code ee-toy-refill}: the same with the fluid batcher's guarded-refill rule (it preempts
 *       and merges).
 * </ul>
 */
public final class TestModels {
  private TestModels() {}

  /**
   * Creates the toy repository in {@code root}: {@code affine} (dynamic batching, no delay), {@code
   * affine-batched} (waits up to 2 s for a batch of 4), {@code echo-int} (on the cpu device) and
   * {@code ee-toy} (fluid batching).
   */
  public static Path repository(Path root) {
    try {
      plainModel(
          root,
          "affine",
          affineModel(),
          """
          kind: plain
          description: y = 2x + 1 (test model)
          max-batch-size: 4
          inputs:
            - {name: x, datatype: FP32, shape: [4]}
          outputs:
            - {name: y, datatype: FP32, shape: [4]}
          """);
      plainModel(
          root,
          "affine-batched",
          affineModel(),
          """
          kind: plain
          description: y = 2x + 1, batching window of 2 s (test model)
          max-batch-size: 4
          scheduling:
            policy: dynamic
            parameters: {max-queue-delay: 2s, preferred-batch-sizes: [4]}
          """);
      plainModel(
          root,
          "slow-slo",
          identityMatMul("x", "y", SLOW_WIDTH),
          """
          kind: plain
          description: y = x through a 128x128 MatMul, 1 s SLO, admission control on (test model)
          max-batch-size: 4
          slo: 1s
          """);
      plainModel(
          root,
          "slow-no-admission",
          identityMatMul("x", "y", SLOW_WIDTH),
          """
          kind: plain
          description: slow-slo without admission control (test model)
          max-batch-size: 4
          slo: 1s
          scheduling: {admission: false}
          """);
      plainModel(
          root,
          "echo-int",
          echoIntModel(),
          """
          kind: plain
          description: y = x on INT64 (test model)
          max-batch-size: 8
          device: cpu
          """);
      Path ee = root.resolve("ee-toy/1");
      Files.createDirectories(ee);
      for (int s = 0; s < 4; s++) {
        write(
            ee.resolve("stage" + s + ".onnx"),
            identityStage("f" + (s - 1), "f" + s, s == 0 ? "x" : null));
        write(ee.resolve("exit" + s + ".onnx"), softmaxHead("f" + s));
      }
      String stages =
          """
          kind: early-exit
          description: identity stages with softmax exit heads (test model)
          max-batch-size: 8
          stages:
            - {graph: stage0.onnx, exit: {graph: exit0.onnx, threshold: 0.9}}
            - {graph: stage1.onnx, exit: {graph: exit1.onnx, threshold: 0.9}}
            - {graph: stage2.onnx, exit: {graph: exit2.onnx, threshold: 0.9}}
            - {graph: stage3.onnx, exit: {graph: exit3.onnx}}
          """;
      Files.writeString(root.resolve("ee-toy/config.yaml"), stages);
      // The same model with the spec's guarded-refill rule: without deadlines it refills at every
      // exit point.
      Path refill = root.resolve("ee-toy-refill/1");
      Files.createDirectories(refill);
      try (var files = Files.list(ee)) {
        for (Path f : files.toList()) {
          Files.copy(f, refill.resolve(f.getFileName()));
        }
      }
      Files.writeString(
          root.resolve("ee-toy-refill/config.yaml"),
          stages
              + """
          scheduling:
            policy: fluid
            parameters: {rule: guarded-refill, sizing: max}
          """);
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void plainModel(Path root, String name, OnnxProto.ModelProto model, String config)
      throws IOException {
    Path dir = root.resolve(name + "/1");
    Files.createDirectories(dir);
    write(dir.resolve("model.onnx"), model);
    Files.writeString(root.resolve(name + "/config.yaml"), config);
  }

  /** Copies a shipped model folder (from the repository's models/repository) into {@code root}. */
  public static void copyShipped(Path root, String model) {
    Path src = shippedRepository().resolve(model);
    try (var files = Files.walk(src)) {
      for (Path p : files.toList()) {
        Path dst = root.resolve(model).resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(p, dst);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shipped default repository, found from the module or the project root. */
  public static Path shippedRepository() {
    for (Path p : List.of(Path.of("../models/repository"), Path.of("models/repository"))) {
      if (Files.isDirectory(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "models/repository not found from " + Path.of("").toAbsolutePath());
  }

  private static void write(Path file, OnnxProto.ModelProto model) throws IOException {
    Files.write(file, model.toByteArray());
  }

  private static OnnxProto.ValueInfoProto value(String name, int elemType, Object... dims) {
    return OnnxProtos.tensorInfo(name, elemType, dims);
  }

  private static OnnxProto.TensorProto floats(String name, float... v) {
    return OnnxProtos.floats(name, v);
  }

  private static OnnxProto.NodeProto node(String op, List<String> in, List<String> out) {
    return OnnxProto.NodeProto.newBuilder()
        .setOpType(op)
        .setName(op + "_" + out.get(0))
        .addAllInput(in)
        .addAllOutput(out)
        .build();
  }

  private static OnnxProto.ModelProto model(OnnxProto.GraphProto graph) {
    return OnnxProto.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("edgenpu-tests")
        .addOpsetImport(OnnxProto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph)
        .build();
  }

  static OnnxProto.ModelProto affineModel() {
    int f = OnnxProto.TensorProto.DataType.FLOAT_VALUE;
    return model(
        OnnxProto.GraphProto.newBuilder()
            .setName("affine")
            .addInput(value("x", f, "batch", 4))
            .addOutput(value("y", f, "batch", 4))
            .addInitializer(floats("two", 2f))
            .addInitializer(floats("one", 1f))
            .addNode(node("Mul", List.of("x", "two"), List.of("t")))
            .addNode(node("Add", List.of("t", "one"), List.of("y")))
            .build());
  }

  static OnnxProto.ModelProto echoIntModel() {
    int i = OnnxProto.TensorProto.DataType.INT64_VALUE;
    return model(
        OnnxProto.GraphProto.newBuilder()
            .setName("echo")
            .addInput(value("x", i, "batch", 3))
            .addOutput(value("y", i, "batch", 3))
            .addNode(node("Identity", List.of("x"), List.of("y")))
            .build());
  }

  /** Width of the toy early-exit model's features. */
  public static final int EE_WIDTH = 64;

  /** Width of {@code slow-slo}'s identity MatMul. */
  public static final int SLOW_WIDTH = 128;

  static OnnxProto.ModelProto identityStage(String in, String out, String firstInput) {
    return identityMatMul(firstInput != null ? firstInput : in, out, EE_WIDTH);
  }

  /**
   * y = x · I with a width x width identity matrix (real work for the NPU cost model, exact
   * numbers).
   */
  static OnnxProto.ModelProto identityMatMul(String input, String out, int width) {
    int f = OnnxProto.TensorProto.DataType.FLOAT_VALUE;
    float[] eye = new float[width * width];
    for (int i = 0; i < width; i++) {
      eye[i * width + i] = 1f;
    }
    OnnxProto.TensorProto w = floats("eye", eye).toBuilder().addDims(width).addDims(width).build();
    return model(
        OnnxProto.GraphProto.newBuilder()
            .setName("stage")
            .addInput(value(input, f, "batch", width))
            .addOutput(value(out, f, "batch", width))
            .addInitializer(w)
            .addNode(node("MatMul", List.of(input, "eye"), List.of(out)))
            .build());
  }

  static OnnxProto.ModelProto softmaxHead(String in) {
    int f = OnnxProto.TensorProto.DataType.FLOAT_VALUE;
    return model(
        OnnxProto.GraphProto.newBuilder()
            .setName("head")
            .addInput(value(in, f, "batch", EE_WIDTH))
            .addOutput(value("probabilities", f, "batch", EE_WIDTH))
            .addNode(
                OnnxProto.NodeProto.newBuilder()
                    .setOpType("Softmax")
                    .setName("softmax")
                    .addInput(in)
                    .addOutput("probabilities")
                    .addAttribute(
                        OnnxProto.AttributeProto.newBuilder()
                            .setName("axis")
                            .setI(1)
                            .setType(OnnxProto.AttributeProto.AttributeType.INT)))
            .build());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
