using Backprop.Distributed;
using Backprop.NN;
using Backprop.Optim;

namespace Backprop.Tests.Distributed;

/// <summary>DistributedDataParallel over ranks that are threads of this process (the MPI runs are in MpiTrainingTests).</summary>
public sealed class DistributedDataParallelTests
{
    private const int Samples = 48;
    private const int GlobalBatch = 12;

    [Theory]
    [InlineData(2, 25.0, true)]
    [InlineData(3, 25.0, true)]
    [InlineData(2, 0.00005, true)]
    [InlineData(3, 0.00005, true)]
    [InlineData(2, 0.00005, false)]
    public void RanksTakeTheStepsOfOneProcessWithTheGlobalBatch(int ranks, double bucketCapMb, bool overlap)
    {
        var (x, y) = Data();
        var single = Train(Model(5), Communicator.Local, x, y, share: (0, 1), bucketCapMb, overlap);
        var distributed = ThreadGroup.Run(ranks, comm =>
        {
            // Only rank 0 starts from the single process's weights: the others' are replaced by its broadcast.
            var model = Model(5 + (ulong)comm.Rank);
            return Train(model, comm, x, y, share: (comm.Rank, ranks), bucketCapMb, overlap);
        });
        foreach (var weights in distributed)
        {
            Assert.Equal(distributed[0], weights);
            for (var i = 0; i < single.Length; i++)
            {
                Assert.True(Math.Abs(single[i] - weights[i]) <= 1e-5f * Math.Max(1f, Math.Abs(single[i])), $"weight {i}: {weights[i]} on {ranks} ranks, {single[i]} in one process");
            }
        }
    }

    [Fact]
    public void BucketsHoldUpToTheirCapacityInTheOrderBackwardFinishesParameters()
    {
        var counts = ThreadGroup.Run(2, comm =>
        {
            using var wide = new DistributedDataParallel(Model(1), comm);
            using var narrow = new DistributedDataParallel(Model(1), comm, bucketCapMb: 0.00005);
            return (wide.BucketCount, narrow.BucketCount);
        });
        Assert.All(counts, c => Assert.Equal(1, c.Item1));
        // 13 floats a bucket: the last bias (3), the last weight (24), the first bias (8), the first weight (48), one each.
        Assert.All(counts, c => Assert.Equal(4, c.Item2));
    }

    [Fact]
    public void ALargeParameterIsAveragedInItsOwnStorage()
    {
        // 6 × 12,000 = 72,000 floats: at least 256 KB, so the first layer's weight is a bucket of its own.
        static Sequential Wide()
        {
            var g = new Generator(3);
            return new Sequential(new Linear(12_000, 6, generator: g), new ReLU(), new Linear(6, 2, generator: g));
        }

        var wide = Wide();
        var grads = ThreadGroup.Run(2, comm =>
        {
            var model = Wide();
            using var ddp = new DistributedDataParallel(model, comm);
            var input = Tensor.Randn([2, 12_000], new Generator(20 + (ulong)comm.Rank));
            ddp.Forward(input).Sum().Backward();
            return (ddp.BucketCount, model.Parameters().First().Grad!.ToArray());
        });
        var both = Tensor.Cat([Tensor.Randn([2, 12_000], new Generator(20)), Tensor.Randn([2, 12_000], new Generator(21))], 0);
        (wide.Forward(both).Sum() * 0.5f).Backward();
        var expected = wide.Parameters().First().Grad!.ToArray();
        Assert.All(grads, r => Assert.Equal(2, r.BucketCount));
        Assert.All(grads, r => Assert.All(expected.Zip(r.Item2), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f * Math.Max(1f, Math.Abs(p.First)), $"{p.Second} against {p.First}")));
    }

    [Fact]
    public void AParameterLeftOutOfTheLossIsNamedAtTheNextForward()
    {
        var messages = ThreadGroup.Run(2, comm =>
        {
            using var ddp = new DistributedDataParallel(new TwoHeads(new Generator(2)), comm);
            var input = Tensor.Randn([3, 4], new Generator(7 + (ulong)comm.Rank));
            ddp.Forward(input).Sum().Backward();
            return Assert.Throws<InvalidOperationException>(() => ddp.Forward(input)).Message;
        });
        Assert.All(messages, m => Assert.Contains("unused.weight", m, StringComparison.Ordinal));
    }

    [Fact]
    public void SynchronizeGradientsAveragesWhatArrivedAndZerosTheRest()
    {
        var grads = ThreadGroup.Run(2, comm =>
        {
            var model = new TwoHeads(new Generator(2));
            using var ddp = new DistributedDataParallel(model, comm);
            var input = Tensor.FromArray(Enumerable.Repeat(comm.Rank + 1f, 4).ToArray(), 1, 4);
            ddp.Forward(input).Sum().Backward();
            ddp.SynchronizeGradients();
            return (model.Used.Weight.Grad!.ToArray(), model.Unused.Weight.Grad!.ToArray());
        });
        // d(sum(W x))/dW is x in every row: 1 on rank 0, 2 on rank 1, so the average is 1.5.
        Assert.All(grads, g => Assert.All(g.Item1, v => Assert.Equal(1.5f, v)));
        Assert.All(grads, g => Assert.All(g.Item2, v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void RanksWithDifferentModelsAreToldBeforeAnyGradientMoves()
    {
        var error = Assert.Throws<AggregateException>(() => ThreadGroup.Run(2, comm =>
            new DistributedDataParallel(comm.Rank == 0 ? Model(1) : new Sequential(new Linear(6, 9), new ReLU(), new Linear(9, 3)), comm)));
        Assert.All(error.InnerExceptions, e => Assert.Contains("disagree on the model's parameters", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void TheStateDictKeysCarryPyTorchsModulePrefix()
    {
        using var ddp = new DistributedDataParallel(Model(1), Communicator.Local);
        Assert.Equal(["module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias"], ddp.StateDict().Keys);
    }

    private static Sequential Model(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(6, 8, generator: g), new ReLU(), new Linear(8, 3, generator: g));
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var g = new Generator(11);
        var labels = Enumerable.Range(0, Samples).Select(_ => (long)g.NextInt(3)).ToArray();
        return (Tensor.Randn([Samples, 6], g), Tensor.FromArray(labels, Samples));
    }

    /// <summary>Four steps of SGD with momentum over the batches in order, each rank on its slice; returns the weights.</summary>
    private static float[] Train(Sequential model, ICommunicator comm, Tensor x, Tensor y, (int Rank, int Ranks) share, double bucketCapMb, bool overlap)
    {
        using var ddp = new DistributedDataParallel(model, comm, bucketCapMb, overlap: overlap);
        var optimizer = new SGD(model.Parameters(), 0.1f, momentum: 0.9f);
        var per = GlobalBatch / share.Ranks;
        for (var b = 0; b < Samples / GlobalBatch; b++)
        {
            var start = (b * GlobalBatch) + (share.Rank * per);
            optimizer.ZeroGrad();
            Tensor.CrossEntropy(ddp.Forward(x.Narrow(0, start, per)), y.Narrow(0, start, per)).Mean().Backward();
            optimizer.Step();
        }

        return [.. model.Parameters().SelectMany(p => p.ToArray())];
    }

    /// <summary>A module with a head that Forward never uses.</summary>
    private sealed class TwoHeads(Generator g) : Module<Tensor, Tensor>
    {
        public Linear Used { get; } = new(4, 2, bias: false, generator: g);

        public Linear Unused { get; } = new(4, 2, bias: false, generator: g);

        public override Tensor Forward(Tensor input) => Used.Forward(input);
    }
}
