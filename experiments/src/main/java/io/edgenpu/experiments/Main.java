package io.edgenpu.experiments;

import io.edgenpu.experiments.fabnet.FabnetCommand;
import io.edgenpu.experiments.fluid.FluidAttributionCommand;
import io.edgenpu.experiments.fluid.FluidBatchingCommand;
import io.edgenpu.experiments.fluid.SimSpeedCommand;
import io.edgenpu.experiments.live.FluidLiveCommand;
import io.edgenpu.experiments.nawq.NawqResultsCommand;
import io.edgenpu.experiments.nawq.NawqSearchCommand;
import io.edgenpu.experiments.npu.NpuReportCommand;
import io.edgenpu.experiments.npu.NpuSweepCommand;
import io.edgenpu.experiments.npu.NpuValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the research tools: {@code java -jar experiments/target/experiments.jar <command>
 * --help}.
 */
@Command(
    name = "experiments",
    mixinStandardHelpOptions = true,
    description = "Research tools: the scheduler and the NPU model in virtual time.",
    subcommands = {
      NpuReportCommand.class,
      NpuSweepCommand.class,
      NpuValidateCommand.class,
      FluidBatchingCommand.class,
      FluidAttributionCommand.class,
      FluidLiveCommand.class,
      SimSpeedCommand.class,
      FabnetCommand.class,
      NawqSearchCommand.class,
      NawqResultsCommand.class,
      ChartCommand.class
    })
public final class Main implements Runnable {
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
