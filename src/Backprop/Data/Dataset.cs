namespace Backprop.Data;

/// <summary>A collection of (input, target) samples that a <see cref="DataLoader"/> draws batches from.</summary>
public abstract class Dataset
{
    /// <summary>The number of samples.</summary>
    public abstract int Count { get; }

    /// <summary>The inputs and targets of the samples at <paramref name="indices"/>, stacked along a new first dimension.</summary>
    /// <param name="indices">Sample indices in [0, Count); the loader reuses the array for the next batch, so copy what must be kept.</param>
    /// <returns>The batch.</returns>
    public abstract Batch GetBatch(int[] indices);

    /// <summary>
    /// Splits the samples at random into parts of the given fractions (the last takes the remainder),
    /// like torch.utils.data.random_split.
    /// </summary>
    /// <param name="fractions">The fractions, summing to 1.</param>
    /// <param name="generator">The random source.</param>
    /// <returns>The parts.</returns>
    public Subset[] RandomSplit(float[] fractions, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        ArgumentNullException.ThrowIfNull(generator);
        if (fractions.Length == 0 || fractions.Any(f => !(f >= 0f)) || Math.Abs(fractions.Sum() - 1f) > 1e-4f)
        {
            throw new ArgumentException($"RandomSplit: fractions [{string.Join(", ", fractions)}] must be non-negative and sum to 1.", nameof(fractions));
        }

        var order = generator.Permutation(Count);
        var parts = new Subset[fractions.Length];
        var start = 0;
        for (var i = 0; i < fractions.Length; i++)
        {
            var length = i == fractions.Length - 1 ? Count - start : (int)Math.Round(fractions[i] * Count);
            parts[i] = new Subset(this, order[start..(start + length)]);
            start += length;
        }

        return parts;
    }
}
