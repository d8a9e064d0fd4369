package io.edgenpu.experiments.nawq;

import io.edgenpu.experiments.Charts;
import io.edgenpu.experiments.options.NpuProfileOption;
import io.edgenpu.experiments.options.OutputFolderOption;
import io.edgenpu.experiments.options.RepositoryOption;
import io.edgenpu.npu.profile.NpuProfile;
import io.edgenpu.npu.profile.PrecisionMode;
import io.edgenpu.npu.quant.HpqConfig;
import io.edgenpu.npu.quant.RgbImages;
import io.edgenpu.npu.quant.SrGraph.Image;
import io.edgenpu.npu.quant.TileCodec;
import io.edgenpu.npu.quant.TileCost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nawq-results}: the NAWQ-SR tables on held-out images for the repository's served SR
 * networks: FP32, all-A16W8, all-A8W8, each shipped hybrid-precision configuration, and each of
 * those static configurations with the runtime tile codec ({@code + codec}: the hardest tiles by
 * total variation get dynamic range estimation on the top-3 sensitive layers, t_dre charged, within
 * a budget of the all-A16W8 latency of the image); bicubic from the entry's metrics.json. Also the
 * r16 sweep (A16W8 MAC cost 1.5-2.5x A8W8: latencies and the codec's choices move, the static PSNRs
 * do not) and the tile-size table (halo overhead). Calibration and configurations are the {@code
 * <name>-nawq} entries'; the images are {@code <name>/eval}'s held-out pairs. Writes summary.csv,
 * summary-mean.csv, r16-sweep.csv, tiles.csv and pareto-<name>.png.
 */
@Command(
    name = "nawq-results",
    mixinStandardHelpOptions = true,
    description = "NAWQ-SR quality/latency tables on held-out images.")
public final class NawqResultsCommand implements Callable<Integer> {
  static final double[] R16 = {1.5, 2.0, 2.5};
  static final int[] PATCHES = {64, 96, 128};

  @Mixin RepositoryOption repository;

  @Mixin OutputFolderOption out;

  @Option(
      names = "--models",
      split = ",",
      defaultValue = "edsr-x2,esrgan-slim-x2,esrgan-slim-x4,sr-x2,sr-x4",
      description =
          "served SR networks (each with a <name>-nawq entry) (default: ${DEFAULT-VALUE})")
  List<String> models;

  @Option(
      names = "--held-out",
      split = ",",
      defaultValue = "astronaut,chelsea,coffee,china,flower",
      description = "held-out evaluation images (default: ${DEFAULT-VALUE})")
  List<String> heldOut;

  @Option(
      names = "--patch",
      defaultValue = "64",
      description = "codec tile core, low-resolution pixels (default: ${DEFAULT-VALUE})")
  int patch;

  @Mixin NpuProfileOption profile;

  @Override
  public Integer call() throws Exception {
    out.create();
    NpuProfile npu = profile.resolve();
    double r16Profile = npu.cost(PrecisionMode.A16W8).macCost();
    Tables t = new Tables();
    for (String name : models) {
      long t0 = System.nanoTime();
      SrNetworkEval net = new SrNetworkEval(repository.path(), name, npu);
      Path eval = repository.resolve(name).resolve("eval");
      List<Integer> all16 = net.bits("all-A16W8");
      for (String image : heldOut) {
        Image lr = RgbImages.read(eval.resolve(image + "-lr.png"), net.channels());
        Image hr = RgbImages.read(eval.resolve(image + "-hr.png"), net.channels());
        double pixels = lr.width() * (double) lr.height();
        long f0 = System.nanoTime();
        Image fp = net.graph.runFloat(lr, null);
        double fpMs = (System.nanoTime() - f0) / 1e6;
        t.row(
            net,
            new SrNetworkEval.Row("FP32", Double.NaN, image, q(net, fp, hr), Double.NaN, fpMs, 0));
        for (Map.Entry<String, HpqConfig> c : net.configs.entrySet()) {
          List<Integer> bits = c.getValue().bits();
          boolean codec = !c.getKey().equals("all-A16W8"); // its codec would only add cost
          boolean promote = c.getKey().equals("all-A8W8");
          SrNetworkEval.Tiled tiled = net.tiled(lr, bits, patch, codec, promote);
          double[] quality = q(net, tiled.stitch(Set.of()), hr);
          for (double r16 : R16) {
            NpuProfile p = SrNetworkEval.withR16(npu, r16);
            double staticMs = net.nanosPerPixel(bits, p) * pixels / 1e6;
            double budget = net.nanosPerPixel(all16, p) * pixels;
            Codec dre =
                codec
                    ? Codec.run(lr, tiled, net.tileCost(bits, p), budget, false, net, hr)
                    : Codec.none(quality, staticMs);
            t.sweep(net, r16, c.getKey(), image, staticMs, quality[0], dre, budget / 1e6);
            Codec up =
                promote
                    ? Codec.run(lr, tiled, net.promoteCost(bits, p), budget, true, net, hr)
                    : null;
            if (up != null) {
              t.sweep(
                  net, r16, c.getKey() + " promote", image, staticMs, quality[0], up, budget / 1e6);
            }
            if (r16 != r16Profile) {
              continue;
            }
            t.row(
                net,
                new SrNetworkEval.Row(
                    c.getKey(), c.getValue().epsDb(), image, quality, staticMs, tiled.cpuMs, 0));
            if (codec) {
              t.row(
                  net,
                  new SrNetworkEval.Row(
                      c.getKey() + " + codec",
                      c.getValue().epsDb(),
                      image,
                      dre.quality(),
                      dre.ms(),
                      tiled.cpuMs + tiled.cpuMsEnhanced,
                      dre.fraction()));
            }
            if (up != null) {
              t.row(
                  net,
                  new SrNetworkEval.Row(
                      c.getKey() + " + codec (promote)",
                      c.getValue().epsDb(),
                      image,
                      up.quality(),
                      up.ms(),
                      Double.NaN,
                      up.fraction()));
            }
          }
        }
        System.err.print(".");
      }
      t.bicubic(net, repository.resolve(name), heldOut);
      t.tiles(
          net,
          npu,
          PATCHES,
          RgbImages.read(eval.resolve(heldOut.get(0) + "-lr.png"), net.channels()));
      System.err.printf(
          Locale.ROOT,
          " %s (%d layers, DRE on %s): %.0f s%n",
          name,
          net.graph.convs().size(),
          net.dreLayerNames(),
          (System.nanoTime() - t0) / 1e9);
    }
    t.write(out.path());
    for (String name : models) {
      List<Charts.Series> points = t.paretoPoints(name);
      Charts.pointsAndLine(
          out.resolve("pareto-" + name + ".png"),
          name + ": PSNR vs emulated NPU latency (held-out mean; line: Pareto front)",
          "emulated NPU latency per image (ms)",
          "PSNR (dB, " + t.channelsOf(name) + ")",
          points,
          Tables.front(name, points));
    }
    System.out.print(Files.readString(out.resolve("summary-mean.csv")));
    return 0;
  }

  private static double[] q(SrNetworkEval net, Image out, Image hr) {
    return net.quality(out, hr);
  }

  /** What the codec did on one image at one cost model: quality, emulated ms, enhanced fraction. */
  record Codec(double[] quality, double ms, double fraction) {
    static Codec none(double[] quality, double staticMs) {
      return new Codec(quality, staticMs, 0);
    }

    static Codec run(
        Image lr,
        SrNetworkEval.Tiled tiled,
        TileCost cost,
        double budget,
        boolean promote,
        SrNetworkEval net,
        Image hr) {
      Set<TileCodec.Tile> chosen = TileCodec.chooseEnhanced(lr, tiled.tiles, cost, budget);
      Image out = promote ? tiled.stitchPromoted(chosen) : tiled.stitch(chosen);
      return new Codec(
          net.quality(out, hr),
          TileCodec.nanos(tiled.tiles, chosen, cost) / 1e6,
          chosen.size() / (double) tiled.tiles.size());
    }
  }
}
