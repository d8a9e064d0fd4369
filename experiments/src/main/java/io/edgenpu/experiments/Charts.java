package io.edgenpu.experiments;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Small helpers to write line/scatter charts as PNG (XChart, headless). */
public final class Charts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** A named series of (x, y) points. */
  public record Series(String name, double[] x, double[] y) {}

  private Charts() {}

  public static void lines(
      Path png,
      String title,
      String xLabel,
      String yLabel,
      List<Series> series,
      boolean logY,
      boolean scatter)
      throws IOException {
    XYChart chart = chart(title, xLabel, yLabel);
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setMarkerSize(6);
    for (Series s : series) {
      XYSeries xy = chart.addSeries(s.name(), s.x(), s.y());
      if (scatter) {
        xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
      xy.setMarker(SeriesMarkers.CIRCLE);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * Points as markers (one series each) and one polyline (e.g. a Pareto front) through {@code
   * line}'s points.
   */
  public static void pointsAndLine(
      Path png, String title, String xLabel, String yLabel, List<Series> points, Series line)
      throws IOException {
    XYChart chart = chart(title, xLabel, yLabel);
    chart.getStyler().setMarkerSize(7);
    XYSeries front = chart.addSeries(line.name(), line.x(), line.y());
    front.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    front.setMarker(SeriesMarkers.NONE);
    for (Series s : points) {
      XYSeries xy = chart.addSeries(s.name(), s.x(), s.y());
      xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      xy.setMarker(SeriesMarkers.CIRCLE);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A 900x560 chart on white with the legend outside, right. */
  private static XYChart chart(String title, String xLabel, String yLabel) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title(title)
            .xAxisTitle(xLabel)
            .yAxisTitle(yLabel)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    return chart;
  }
}
