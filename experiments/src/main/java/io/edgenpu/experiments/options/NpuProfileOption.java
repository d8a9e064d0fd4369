package io.edgenpu.experiments.options;

import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.NpuProfiles;
import picocli.CommandLine.Option;

/** {@code --profile}: the emulated NPU's hardware profile, a preset name or a profile YAML file. */
public final class NpuProfileOption {
  @Option(
      names = "--profile",
      defaultValue = "fluid-npu",
      description = "NPU profile: a preset or a profile YAML (default: ${DEFAULT-VALUE})")
  String name;

  public String name() {
    return name;
  }

  public NpuProfile resolve() {
    return NpuProfiles.resolve(name);
  }
}
