using Backprop.Data;

namespace Backprop.Distributed;

/// <summary>
/// Gives each rank its share of every epoch (torch.utils.data.distributed.DistributedSampler): every rank
/// draws the same permutation of the whole dataset from its generator (the ranks are seeded alike), pads it
/// with its own first indices to a multiple of the number of ranks, and keeps every Size-th index from its
/// rank on. So batch b of N ranks with batch B/N covers the same samples as batch b of one process with
/// batch B over the same permutation, and their averaged gradients are the same up to summation order.
/// </summary>
public sealed class DistributedSampler : Sampler
{
    private readonly int _datasetCount;
    private readonly Generator _generator;

    /// <summary>Makes the sampler for one rank.</summary>
    /// <param name="datasetCount">The number of samples in the dataset.</param>
    /// <param name="rank">This rank.</param>
    /// <param name="size">The number of ranks.</param>
    /// <param name="shuffle">Draw a new permutation each epoch (else visit the samples in order).</param>
    /// <param name="generator">The random source of the permutations, seeded alike on every rank; null uses <see cref="Generator.Default"/>.</param>
    /// <param name="dropLast">Drop the tail that does not divide among the ranks instead of padding it.</param>
    public DistributedSampler(int datasetCount, int rank, int size, bool shuffle = true, Generator? generator = null, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(datasetCount);
        if (size <= 0 || (uint)rank >= (uint)size)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DistributedSampler: rank {rank} is not one of {size} ranks.");
        }

        if (dropLast && datasetCount < size)
        {
            throw new ArgumentException($"DistributedSampler: {datasetCount} samples cannot give each of {size} ranks one with dropLast.", nameof(datasetCount));
        }

        _datasetCount = datasetCount;
        Rank = rank;
        Size = size;
        Shuffle = shuffle;
        DropLast = dropLast;
        _generator = generator ?? Generator.Default;
        Count = dropLast ? datasetCount / size : (datasetCount + size - 1) / size;
    }

    /// <summary>Makes the sampler for this process's rank of <paramref name="communicator"/>.</summary>
    /// <param name="datasetCount">The number of samples in the dataset.</param>
    /// <param name="communicator">The ranks.</param>
    /// <param name="shuffle">Draw a new permutation each epoch.</param>
    /// <param name="generator">The random source of the permutations, seeded alike on every rank.</param>
    /// <param name="dropLast">Drop the tail that does not divide among the ranks instead of padding it.</param>
    public DistributedSampler(int datasetCount, ICommunicator communicator, bool shuffle = true, Generator? generator = null, bool dropLast = false)
        : this(datasetCount, (communicator ?? throw new ArgumentNullException(nameof(communicator))).Rank, communicator.Size, shuffle, generator, dropLast)
    {
    }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int Size { get; }

    /// <summary>Whether each epoch draws a new permutation.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the tail that does not divide among the ranks is dropped (else padded).</summary>
    public bool DropLast { get; }

    /// <inheritdoc/>
    public override int Count { get; }

    /// <inheritdoc/>
    public override int[] NextEpoch()
    {
        var order = Shuffle ? _generator.Permutation(_datasetCount) : [.. Enumerable.Range(0, _datasetCount)];
        var share = new int[Count];
        for (var i = 0; i < share.Length; i++)
        {
            // Padding wraps to the start of the permutation, as PyTorch's does.
            share[i] = order[((i * Size) + Rank) % order.Length];
        }

        return share;
    }
}
