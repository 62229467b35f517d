namespace Backprop.Data;

/// <summary>
/// The windows of a token sequence for next-token prediction: sample i is tokens [i, i + context) as input
/// and [i + 1, i + context + 1) as target, both int64. <see cref="Sample"/> draws a batch of windows at
/// random starts (with replacement, as nanoGPT's get_batch), from a seeded generator.
/// </summary>
public sealed class TextWindows : Dataset
{
    private readonly long[] _tokens;

    /// <summary>Makes the windows of <paramref name="tokens"/>.</summary>
    /// <param name="tokens">The token ids (not copied; do not change them).</param>
    /// <param name="contextLength">The tokens per window.</param>
    public TextWindows(long[] tokens, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (contextLength <= 0 || tokens.Length <= contextLength)
        {
            throw new ArgumentException($"TextWindows: {tokens.Length} tokens give no window of {contextLength} tokens and its target; the text needs more than {Math.Max(contextLength, 0)} tokens.", nameof(tokens));
        }

        _tokens = tokens;
        ContextLength = contextLength;
    }

    /// <summary>The tokens per window.</summary>
    public int ContextLength { get; }

    /// <summary>The number of windows: one per start that leaves room for the target.</summary>
    public override int Count => _tokens.Length - ContextLength;

    /// <inheritdoc/>
    public override Batch GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return Windows(indices);
    }

    /// <summary>
    /// A batch of <paramref name="batchSize"/> windows at starts drawn uniformly (with replacement), or of it the
    /// share of one of several ranks that draw alike: the <paramref name="rank"/>-th of <paramref name="ranks"/>
    /// equal slices, so that the ranks together train on the batch one process would.
    /// </summary>
    /// <param name="batchSize">The windows per batch (over all ranks).</param>
    /// <param name="generator">The random source.</param>
    /// <param name="rank">Which slice to keep.</param>
    /// <param name="ranks">Into how many slices to cut the batch; it must divide <paramref name="batchSize"/>.</param>
    /// <returns>Inputs and targets, int64 [batchSize / ranks, context].</returns>
    public Batch Sample(int batchSize, Generator generator, int rank = 0, int ranks = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (ranks <= 0 || (uint)rank >= (uint)ranks || batchSize % ranks != 0)
        {
            throw new ArgumentException($"TextWindows.Sample: a batch of {batchSize} cannot be cut into {ranks} equal shares to keep share {rank}.", nameof(ranks));
        }

        var starts = new int[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            starts[i] = generator.NextInt(Count);
        }

        var share = batchSize / ranks;
        return Windows(ranks == 1 ? starts : starts[(rank * share)..((rank + 1) * share)]);
    }

    private Batch Windows(int[] starts)
    {
        var t = ContextLength;
        var input = new long[starts.Length * t];
        var target = new long[starts.Length * t];
        for (var i = 0; i < starts.Length; i++)
        {
            if ((uint)starts[i] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(starts), $"TextWindows: window {starts[i]} is outside the {Count} windows.");
            }

            Array.Copy(_tokens, starts[i], input, i * t, t);
            Array.Copy(_tokens, starts[i] + 1, target, i * t, t);
        }

        return new Batch(Tensor.FromArray(input, starts.Length, t), Tensor.FromArray(target, starts.Length, t));
    }
}
