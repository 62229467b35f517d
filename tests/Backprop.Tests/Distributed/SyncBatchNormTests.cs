using Backprop.Distributed;
using Backprop.NN;

namespace Backprop.Tests.Distributed;

/// <summary>SyncBatchNorm on ranks that are threads: N ranks with batch B/N normalize and learn as BatchNorm with batch B.</summary>
public sealed class SyncBatchNormTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void RanksNormalizeAndDifferentiateAsOneBatch(int ranks)
    {
        var g = new Generator(8);
        var x = (Tensor.Randn([6, 3, 2, 2], g) * 3f) + 1f;
        var r = Tensor.Randn([6, 3, 2, 2], g);
        var whole = new BatchNorm2d(3);
        var input = x.Clone().SetRequiresGrad();
        var expected = whole.Forward(input);
        (expected * r).Sum().Backward();

        var per = 6 / ranks;
        var results = ThreadGroup.Run(ranks, comm =>
        {
            var layer = SyncBatchNorm.From(new BatchNorm2d(3), comm);
            var share = x.Narrow(0, comm.Rank * per, per).Clone().SetRequiresGrad();
            var y = layer.Forward(share);
            (y * r.Narrow(0, comm.Rank * per, per)).Sum().Backward();
            var weightGrad = layer.Weight!.Grad!.Clone();
            comm.AllReduce(weightGrad);
            return (y.ToArray(), share.Grad!.ToArray(), weightGrad.ToArray(), layer.RunningMean!.ToArray(), layer.RunningVar!.ToArray());
        });
        for (var rank = 0; rank < ranks; rank++)
        {
            var (y, grad, weightGrad, runningMean, runningVar) = results[rank];
            Close(expected.Narrow(0, rank * per, per).ToArray(), y);
            Close(input.Grad!.Narrow(0, rank * per, per).ToArray(), grad);
            Close(whole.Weight!.Grad!.ToArray(), weightGrad);
            Close(whole.RunningMean!.ToArray(), runningMean);
            Close(whole.RunningVar!.ToArray(), runningVar);
        }
    }

    [Fact]
    public void InEvaluationAndAloneItIsBatchNorm()
    {
        var x = Tensor.Randn([4, 2, 3], new Generator(2));
        var plain = new BatchNorm1d(2);
        var sync = SyncBatchNorm.From(plain, Communicator.Local);
        Close(plain.Forward(x).ToArray(), sync.Forward(x).ToArray());
        plain.Eval();
        sync.Eval();
        Close(plain.Forward(x).ToArray(), sync.Forward(x).ToArray());
        Assert.Equal(plain.StateDict().Keys, sync.StateDict().Keys);
        Assert.Throws<ArgumentException>(() => sync.Forward(Tensor.Zeros(4, 3)));
    }

    private static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"element {i}: {actual[i]} against {expected[i]}");
        }
    }
}
