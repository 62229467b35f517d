namespace Backprop.Cli.Evaluation;

/// <summary>Counts of (true class, predicted class) pairs, with per-class precision, recall and F1.</summary>
internal sealed class ConfusionMatrix(int[,] counts)
{
    /// <summary>Counts[t, p]: samples of true class t predicted as p.</summary>
    public int[,] Counts { get; } = counts;

    public static ConfusionMatrix From(EvaluationResult result, int classes)
    {
        var counts = new int[classes, classes];
        for (var i = 0; i < result.Targets.Length; i++)
        {
            var target = result.Targets[i];
            if (target < 0 || target >= classes)
            {
                throw new ArgumentException($"label {target} of sample {i} is outside the model's {classes} classes.");
            }

            counts[target, result.Predictions[i]]++;
        }

        return new ConfusionMatrix(counts);
    }

    /// <summary>The number of samples whose true class is <paramref name="c"/>.</summary>
    public int Support(int c)
    {
        var n = 0;
        for (var p = 0; p < Counts.GetLength(1); p++)
        {
            n += Counts[c, p];
        }

        return n;
    }

    /// <summary>Precision (of predictions of c, how many were c), recall (of true c, how many were found) and their harmonic mean.</summary>
    public (double Precision, double Recall, double F1) Scores(int c)
    {
        var predicted = 0;
        for (var t = 0; t < Counts.GetLength(0); t++)
        {
            predicted += Counts[t, c];
        }

        var truePositives = Counts[c, c];
        var precision = predicted == 0 ? 0 : truePositives / (double)predicted;
        var support = Support(c);
        var recall = support == 0 ? 0 : truePositives / (double)support;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }
}
