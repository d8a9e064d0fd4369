package io.edgenpu.service.repository;

import ai.onnxruntime.OrtEnvironment;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import io.edgenpu.repository.ModelConfig;
import io.edgenpu.repository.ModelWorkloads;
import io.edgenpu.service.backend.EarlyExitModel;
import io.edgenpu.service.backend.ModelInstance;
import io.edgenpu.service.backend.NawqSrModel;
import io.edgenpu.service.backend.PlainModel;
import io.edgenpu.service.device.Device;
import io.edgenpu.service.device.EmulatedNpuAccelerator;
import io.edgenpu.service.nawq.SrEngine;
import io.edgenpu.service.nawq.SrRequests;
import java.nio.file.Path;

/** Builds the {@link ModelInstance} of a model version, by the kind its configuration names. */
final class ModelInstances {
  private final OrtEnvironment env;
  private final int intraOpThreads;

  ModelInstances(OrtEnvironment env, int intraOpThreads) {
    this.env = env;
    this.intraOpThreads = intraOpThreads;
  }

  /** Loads one version (blocking: reads files, creates ONNX Runtime sessions). */
  ModelInstance create(ModelConfig config, long version, Path versionDir, Device device)
      throws Exception {
    return switch (config.kind()) {
      case PLAIN -> new PlainModel(env, config, version, versionDir, intraOpThreads);
      case EARLY_EXIT -> new EarlyExitModel(env, config, version, versionDir, intraOpThreads);
      case NAWQ_SR -> {
        // The configurations are timed on the NPU that serves the model (the default profile
        // elsewhere).
        NpuProfile npu =
            device.accelerator() instanceof EmulatedNpuAccelerator e
                ? e.profile()
                : NpuProfiles.resolve(NpuProfiles.DEFAULT);
        SrEngine engine =
            new SrEngine(
                ModelWorkloads.graphFile(versionDir, config.singleGraph()),
                config.directory(),
                npu);
        yield new NawqSrModel(config, version, versionDir, SrRequests.planner(engine));
      }
    };
  }
}
