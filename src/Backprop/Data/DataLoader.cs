
namespace Backprop.Data;

/// <summary>
/// Iterates over a dataset in batches, reshuffled each epoch from a seeded generator. When a core is
/// free for it, the next batch is gathered on a background task while the caller trains on the
/// current one.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly Generator _generator;
    private readonly bool? _prefetch;
    private readonly Sampler? _sampler;

    /// <summary>Makes a loader.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="batchSize">Samples per batch; positive.</param>
    /// <param name="shuffle">Reshuffle the order at the start of every epoch.</param>
    /// <param name="dropLast">Drop a last batch smaller than <paramref name="batchSize"/>.</param>
    /// <param name="generator">The random source for shuffling; null uses <see cref="Generator.Default"/>.</param>
    /// <param name="prefetch">
    /// Gather the next batch in the background: true or false, or null (the default) to do so only when the
    /// machine has a core that the kernels' threads do not use (on a 2-core machine training with 2 threads,
    /// a background loader only competes with the matrix products).
    /// </param>
    /// <param name="sampler">
    /// Chooses each epoch's indices instead of the loader (a <c>DistributedSampler</c> gives each rank its share);
    /// then <paramref name="shuffle"/> must be false, as in PyTorch.
    /// </param>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle = false, bool dropLast = false, Generator? generator = null, bool? prefetch = null, Sampler? sampler = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: the batch size must be positive.");
        }

        if (sampler is not null && shuffle)
        {
            throw new ArgumentException("DataLoader: a sampler chooses the order, so shuffle must be false with one (shuffle in the sampler).", nameof(shuffle));
        }

        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _generator = generator ?? Generator.Default;
        _prefetch = prefetch;
        _sampler = sampler;
    }

    /// <summary>Whether the next batch is gathered in the background (decided when an epoch starts if not set).</summary>
    public bool Prefetch => _prefetch ?? Environment.ProcessorCount > Threads.Count;

    /// <summary>The dataset.</summary>
    public Dataset Dataset { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is reshuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a short last batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The sampler that chooses each epoch's indices, or null when the loader visits the whole dataset.</summary>
    public Sampler? Sampler => _sampler;

    /// <summary>The number of samples one epoch visits: the sampler's count, or the dataset's.</summary>
    public int SampleCount => _sampler?.Count ?? Dataset.Count;

    /// <summary>The number of batches in one epoch.</summary>
    public int BatchCount => DropLast ? SampleCount / BatchSize : (SampleCount + BatchSize - 1) / BatchSize;

    /// <summary>Starts an epoch: draws the order (when shuffling) and yields its batches, prefetching one ahead.</summary>
    /// <returns>The batches.</returns>
    public IEnumerator<Batch> GetEnumerator()
    {
        var order = _sampler?.NextEpoch() ?? (Shuffle ? _generator.Permutation(Dataset.Count) : Enumerable.Range(0, Dataset.Count).ToArray());
        if (order.Length != SampleCount)
        {
            throw new InvalidOperationException($"DataLoader: the sampler's epoch has {order.Length} indices, but its Count says {SampleCount}.");
        }

        var count = BatchCount;
        if (count == 0)
        {
            yield break;
        }

        if (!Prefetch)
        {
            var indices = new int[BatchSize];
            for (var b = 0; b < count; b++)
            {
                yield return Load(order, b, indices);
            }

            yield break;
        }

        var buffer = new int[BatchSize];
        var next = Task.Run(() => Load(order, 0, buffer));
        for (var b = 0; b < count; b++)
        {
            var batch = next.GetAwaiter().GetResult();
            if (b + 1 < count)
            {
                var index = b + 1;
                next = Task.Run(() => Load(order, index, buffer));
            }

            yield return batch;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Gathers one batch; <paramref name="buffer"/> (BatchSize long) holds its indices for full batches, one load at a time.</summary>
    private Batch Load(int[] order, int batchIndex, int[] buffer)
    {
        var start = batchIndex * BatchSize;
        var length = Math.Min(BatchSize, order.Length - start);
        var indices = length == buffer.Length ? buffer : new int[length];
        Array.Copy(order, start, indices, 0, length);
        using (Tensor.NoGrad())
        {
            return Dataset.GetBatch(indices);
        }
    }
}
