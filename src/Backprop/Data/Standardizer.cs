using Backprop.Kernels;

namespace Backprop.Data;

/// <summary>Feature normalisation to zero mean and unit variance per column, with the statistics kept for new data.</summary>
public sealed class Standardizer
{
    /// <summary>Makes a standardiser from known statistics.</summary>
    /// <param name="mean">The per-column means.</param>
    /// <param name="std">The per-column standard deviations (0 is treated as 1).</param>
    public Standardizer(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != std.Length)
        {
            throw new ArgumentException($"Standardizer: {mean.Length} means but {std.Length} standard deviations.", nameof(std));
        }

        Mean = mean;
        Std = std.Select(s => s > 0 && float.IsFinite(s) ? s : 1f).ToArray();
    }

    /// <summary>The per-column means.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>The per-column standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>Computes the statistics of the columns of <paramref name="features"/> [N, F].</summary>
    /// <param name="features">The features.</param>
    /// <returns>The standardiser.</returns>
    public static Standardizer Fit(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 2 || features.Size(0) == 0)
        {
            throw new ArgumentException($"Standardizer.Fit: expected features [N, F] with N > 0, got {Shapes.Format(features.Dims)}.", nameof(features));
        }

        using (Tensor.NoGrad())
        {
            var mean = features.Mean(0);
            var std = (features - mean).Pow(2f).Mean(0).Sqrt();
            return new Standardizer(mean.ToArray(), std.ToArray());
        }
    }

    /// <summary>(x − mean) / std, column by column.</summary>
    /// <param name="features">The features [N, F].</param>
    /// <returns>The standardised features.</returns>
    public Tensor Apply(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 2 || features.Size(1) != Mean.Count)
        {
            throw new ArgumentException($"Standardizer.Apply: expected features [N, {Mean.Count}], got {Shapes.Format(features.Dims)}.", nameof(features));
        }

        using (Tensor.NoGrad())
        {
            return (features - Tensor.FromArray([.. Mean])) / Tensor.FromArray([.. Std]);
        }
    }
}
