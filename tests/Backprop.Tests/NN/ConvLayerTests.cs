using Backprop.NN;

namespace Backprop.Tests.NN;

/// <summary>The convolution issue's layers as modules: PyTorch's printout and state-dict keys, modes, and errors.</summary>
public class ConvLayerTests
{
    [Fact]
    public void LayersPrintAsPyTorchPrintsThem()
    {
        Assert.Equal("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))", new Conv2d(1, 32, 3).ToString());
        Assert.Equal("Conv2d(4, 8, kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 2), groups=4, bias=False, padding_mode=reflect)", new Conv2d(4, 8, (3, 2), (2, 1), 1, 2, 4, bias: false, paddingMode: PadMode.Reflect).ToString());
        Assert.Equal("Conv2d(3, 5, kernel_size=(3, 3), stride=(1, 1), padding='same')", new Conv2d(3, 5, 3, padding: "same").ToString());
        Assert.Equal("Conv1d(3, 4, kernel_size=(3,), stride=(2,), padding=(1,))", new Conv1d(3, 4, 3, stride: 2, padding: 1).ToString());
        Assert.Equal("ConvTranspose2d(4, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))", new ConvTranspose2d(4, 3, 3, 2, 1, 1).ToString());
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(1, 1))", new AdaptiveAvgPool2d(1).ToString());
        Assert.Equal("BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", new BatchNorm2d(64).ToString());
        Assert.Equal("BatchNorm1d(8, eps=0.001, momentum=None, affine=False, track_running_stats=True)", new BatchNorm1d(8, 1e-3, null, affine: false).ToString());
        Assert.Equal("LayerNorm((128,), eps=1e-05, elementwise_affine=True)", new LayerNorm(128).ToString());
        Assert.Equal("GroupNorm(2, 6, eps=1e-05, affine=True)", new GroupNorm(2, 6).ToString());
    }

    [Fact]
    public void StateDictKeysAndShapesAreTorchs()
    {
        var conv = new Conv2d(3, 8, (5, 3), groups: 1);
        Assert.Equal(["weight", "bias"], conv.StateDict().Keys);
        Assert.Equal([8, 3, 5, 3], conv.Weight.Shape);
        var bn = new BatchNorm2d(4);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.Equal(DType.Int64, bn.NumBatchesTracked!.DType);
        Assert.Equal([6, 2, 3, 3], new ConvTranspose2d(6, 4, 3, groups: 2).Weight.Shape);
        Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 6, 3, groups: 3));
    }

    [Fact]
    public void DefaultInitialisationIsUniformWithinOneOverRootFanIn()
    {
        var conv = new Conv2d(4, 16, 3, groups: 2, generator: new Generator(3));
        var bound = 1f / MathF.Sqrt(2 * 9);
        var w = conv.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > bound * 0.9f && w.Min() < -bound * 0.9f);
    }

    [Fact]
    public void BatchNormUsesBatchStatisticsInTrainingAndRunningOnesInEval()
    {
        var bn = new BatchNorm2d(2, momentum: 0.5);
        var x = Tensor.Randn([8, 2, 3, 3], new Generator(4)) * 3f + 5f;
        var y = bn.Forward(x);
        var mean = y.Mean([0, 2, 3]).ToArray();
        Assert.All(mean, m => Assert.True(Math.Abs(m) < 1e-5));
        Assert.Equal(1L, bn.NumBatchesTracked!.Item<long>());
        var batchMean = x.Mean([0, 2, 3]).ToArray();
        Assert.Equal(batchMean[0] * 0.5f, bn.RunningMean!.ToArray()[0], 4);
        bn.Eval();
        var eval = bn.Forward(x).ToArray();
        var rm = bn.RunningMean.ToArray();
        var rv = bn.RunningVar!.ToArray();
        Assert.Equal((x.ToArray()[0] - rm[0]) / MathF.Sqrt(rv[0] + 1e-5f), eval[0], 4);
        Assert.Equal(1L, bn.NumBatchesTracked.Item<long>());
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros([2, 3, 4, 4])));
        Assert.Contains("BatchNorm2d(2): input [2,3,4,4] must be [N, C, H, W] with C = 2", e.Message, StringComparison.Ordinal);
        var one = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([1, 3])));
        Assert.Contains("one value per channel", one.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dropout2dZeroesWholeChannelsInTrainingOnly()
    {
        var drop = new Dropout2d(0.5f, new Generator(5));
        var x = Tensor.Ones([4, 6, 3, 3]);
        var y = drop.Forward(x).ToArray();
        for (var plane = 0; plane < 24; plane++)
        {
            var values = y.AsSpan(plane * 9, 9).ToArray();
            Assert.True(values.All(v => v == 0f) || values.All(v => v == 2f), $"plane {plane} mixes kept and dropped values");
        }

        Assert.Contains(0f, y);
        Assert.Contains(2f, y);
        drop.Eval();
        Assert.Same(x, drop.Forward(x));
    }

    [Fact]
    public void MaxPoolingModulesReturnWhereEachMaximumWas()
    {
        var x = Tensor.Randn([2, 3, 7, 6], new Generator(31));
        var planes = x.ToArray();
        foreach (var (values, indices, forward) in new[]
        {
            Pooled(new MaxPool2d(3, 2, 1), x),
            Pooled(new AdaptiveMaxPool2d((3, 2)), x),
        })
        {
            Assert.Equal(forward.ToArray(), values.ToArray());
            Assert.Equal(DType.Int64, indices.DType);
            Assert.Equal(values.Shape, indices.Shape);
            var (v, at) = (values.ToArray(), indices.ToArray<long>());
            var perPlane = v.Length / 6;
            for (var i = 0; i < v.Length; i++)
            {
                // Index i's plane (n, c) starts at 42 (7 · 6) floats per plane; the index is h·W + w inside it.
                Assert.InRange(at[i], 0, 41);
                Assert.Equal(v[i], planes[((i / perPlane) * 42) + (int)at[i]]);
            }
        }

        static (Tensor, Tensor, Tensor) Pooled(Module<Tensor, Tensor> pool, Tensor input)
        {
            var (values, indices) = pool switch
            {
                MaxPool2d max => max.ForwardWithIndices(input),
                AdaptiveMaxPool2d adaptive => adaptive.ForwardWithIndices(input),
                _ => throw new ArgumentException("not a max pool", nameof(pool)),
            };
            return (values, indices, pool.Forward(input));
        }
    }
}
