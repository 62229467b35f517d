using Backprop.Data;
using Backprop.Distributed;

namespace Backprop.Tests.Distributed;

public sealed class DistributedSamplerTests
{
    [Theory]
    [InlineData(12, 2, 6)]
    [InlineData(60, 3, 12)]
    [InlineData(24, 4, 8)]
    public void BatchBOfTheRanksIsBatchBOfOneProcess(int count, int ranks, int globalBatch)
    {
        var single = new DataLoader(new IndexDataset(count), globalBatch, shuffle: true, generator: new Generator(9)).Select(Ids).ToList();
        var shares = Enumerable.Range(0, ranks)
            .Select(r => new DataLoader(new IndexDataset(count), globalBatch / ranks, generator: new Generator(9), sampler: new DistributedSampler(count, r, ranks, generator: new Generator(9))).Select(Ids).ToList())
            .ToList();
        Assert.All(shares, s => Assert.Equal(single.Count, s.Count));
        for (var b = 0; b < single.Count; b++)
        {
            var together = shares.SelectMany(s => s[b]).Order().ToArray();
            Assert.Equal(single[b].Order().ToArray(), together);
        }
    }

    [Fact]
    public void ATailThatDoesNotDivideIsPaddedFromTheStartOrDropped()
    {
        var padded = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, r, 3, shuffle: false)).ToList();
        Assert.All(padded, s => Assert.Equal(4, s.Count));
        Assert.Equal([0, 3, 6, 9], padded[0].NextEpoch());
        Assert.Equal([1, 4, 7, 0], padded[1].NextEpoch());
        Assert.Equal([2, 5, 8, 1], padded[2].NextEpoch());
        var dropped = new DistributedSampler(10, 2, 3, shuffle: false, dropLast: true);
        Assert.Equal([2, 5, 8], dropped.NextEpoch());
    }

    [Fact]
    public void EachEpochDrawsANewPermutationAlikeOnEveryRank()
    {
        var a = new DistributedSampler(50, 0, 2, generator: new Generator(4));
        var b = new DistributedSampler(50, 1, 2, generator: new Generator(4));
        var (a1, b1, a2) = (a.NextEpoch(), b.NextEpoch(), a.NextEpoch());
        Assert.Empty(a1.Intersect(b1));
        Assert.Equal(50, a1.Union(b1).Count());
        Assert.NotEqual(a1, a2);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, -1, 2));
        Assert.Throws<ArgumentException>(() => new DistributedSampler(1, 0, 2, dropLast: true));
        var error = Assert.Throws<ArgumentException>(() => new DataLoader(new IndexDataset(4), 2, shuffle: true, sampler: new DistributedSampler(4, 0, 1)));
        Assert.Contains("shuffle must be false", error.Message, StringComparison.Ordinal);
    }

    private static long[] Ids(Batch batch) => batch.Target.ToArray<long>();

    /// <summary>Sample i is the label i, so that a batch names its samples.</summary>
    private sealed class IndexDataset(int count) : Dataset
    {
        public override int Count => count;

        public override Batch GetBatch(int[] indices) =>
            new(Tensor.Zeros(indices.Length, 1), Tensor.FromArray(indices.Select(i => (long)i).ToArray(), indices.Length));
    }
}
