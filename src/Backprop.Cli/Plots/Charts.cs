using System.Globalization;
using Backprop.Cli.Training;
using Backprop.IO;
using ScottPlot;

namespace Backprop.Cli.Plots;

/// <summary>
/// The PNG pictures the commands write (ScottPlot), each written atomically; a path without an extension
/// gets ".png", and every method returns the path it wrote. Integer axes (epochs, layers) get integer ticks,
/// and legends sit outside the data.
/// </summary>
internal static class Charts
{
    /// <summary>Loss (left axis) and accuracy (right axis) per epoch, for training and test data.</summary>
    public static string SaveTrainingCurves(string path, IReadOnlyList<EpochRecord> history, string testName)
    {
        var plot = new Plot();
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        var trainLoss = plot.Add.Scatter(epochs, history.Select(h => h.TrainLoss).ToArray());
        trainLoss.LegendText = "train loss";
        var testLoss = plot.Add.Scatter(epochs, history.Select(h => h.TestLoss).ToArray());
        testLoss.LegendText = $"{testName} loss";
        var trainAcc = plot.Add.Scatter(epochs, history.Select(h => 100 * h.TrainAccuracy).ToArray());
        trainAcc.LegendText = "train accuracy (%)";
        trainAcc.Axes.YAxis = plot.Axes.Right;
        trainAcc.LinePattern = LinePattern.Dashed;
        var testAcc = plot.Add.Scatter(epochs, history.Select(h => 100 * h.TestAccuracy).ToArray());
        testAcc.LegendText = $"{testName} accuracy (%)";
        testAcc.Axes.YAxis = plot.Axes.Right;
        testAcc.LinePattern = LinePattern.Dashed;
        plot.Title("Training");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "accuracy (%)";
        IntegerTicks(plot.Axes.Bottom);
        plot.ShowLegend(Edge.Right);
        return Save(plot, path, 1100, 540);
    }

    /// <summary>A confusion matrix as a heatmap: rows are true classes, columns predicted classes, each cell labelled with its count.</summary>
    public static string SaveConfusionMatrix(string path, int[,] counts)
    {
        var classes = counts.GetLength(0);
        var intensities = new double[classes, classes];
        for (var t = 0; t < classes; t++)
        {
            for (var p = 0; p < classes; p++)
            {
                intensities[t, p] = Math.Log10(1 + counts[t, p]);
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        for (var t = 0; t < classes; t++)
        {
            for (var p = 0; p < classes; p++)
            {
                var text = plot.Add.Text(counts[t, p].ToString(CultureInfo.InvariantCulture), p, classes - 1 - t);
                text.LabelFontColor = intensities[t, p] > intensities.Cast<double>().Max() / 2 ? Colors.Black : Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = classes > 12 ? 8 : 12;
            }
        }

        var ticks = Enumerable.Range(0, classes).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(i => ((int)i).ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Left.SetTicks(ticks, ticks.Select(i => (classes - 1 - (int)i).ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title("Confusion matrix");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        return Save(plot, path, 720, 640);
    }

    /// <summary>log10 of ‖dL/dW‖ against layer depth, one line per network.</summary>
    public static string SaveGradientFlow(string path, IReadOnlyList<(string Label, double[] Values)> curves)
    {
        var plot = new Plot();
        foreach (var (label, values) in curves)
        {
            var xs = Enumerable.Range(1, values.Length).Select(i => (double)i).ToArray();
            var line = plot.Add.Scatter(xs, values.Select(v => Math.Log10(Math.Max(v, 1e-30))).ToArray());
            line.LegendText = label;
        }

        plot.Title("Gradient flow: size of dL/dW per layer");
        plot.XLabel("layer (1 = input side)");
        plot.YLabel("log10 ‖dL/dW‖");
        IntegerTicks(plot.Axes.Bottom);
        plot.ShowLegend(Edge.Right);
        return Save(plot, path, 1100, 540);
    }

    private static void IntegerTicks(IAxis axis) => axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    private static string Save(Plot plot, string path, int width, int height)
    {
        path = Path.HasExtension(path) ? path : path + ".png";
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return path;
    }
}
