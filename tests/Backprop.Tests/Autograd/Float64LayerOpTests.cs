using Backprop.Autograd;
using Backprop.Kernels.Recurrent;

namespace Backprop.Tests.Autograd;

/// <summary>
/// The layer ops (normalization, convolution, pooling and the sequence kernels) in float64 against finite differences,
/// and the fused float32 kernels' second order, which they get by recomputing the op as tensor ops, against the same
/// second order computed in float64.
/// </summary>
public class Float64LayerOpTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -1.5f, 1.5f, new Generator(seed));

    private static readonly Tensor RunningMean = Tensor.FromArray([0.1f, -0.2f]);

    private static readonly Tensor RunningVar = Tensor.FromArray([0.8f, 1.3f]);

    /// <summary>Every case: the op, the fused op's name (the node its float32 output records) and float32 inputs.</summary>
    private static (Func<Tensor[], Tensor> F, string Op, Tensor[] Inputs) Case(string name) => name switch
    {
        "batch_norm_training" => (x => Tensor.BatchNorm(x[0], null, null, x[1], x[2], training: true), "BatchNorm", [Input(1, 3, 2, 2), Input(2, 2), Input(3, 2)]),
        "batch_norm_eval" => (x => Tensor.BatchNorm(x[0], RunningMean, RunningVar, x[1], null), "BatchNorm", [Input(4, 3, 2, 3), Input(5, 2)]),
        "layer_norm" => (x => Tensor.LayerNorm(x[0], [4], x[1], x[2]), "LayerNorm", [Input(6, 2, 3, 4), Input(7, 4), Input(8, 4)]),
        "group_norm" => (x => Tensor.GroupNorm(x[0], 2, x[1], x[2]), "GroupNorm", [Input(9, 2, 4, 3), Input(10, 4), Input(11, 4)]),
        "conv2d" => (x => Tensor.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 2), "Conv2d", [Input(12, 2, 4, 5, 4), Input(13, 6, 2, 3, 2), Input(14, 6)]),
        "conv2d_dilated_same" => (x => Tensor.Conv2d(x[0], x[1], padding: ConvPadding.Same, dilation: (2, 1)), "Conv2d", [Input(15, 1, 2, 5, 5), Input(16, 3, 2, 2, 3)]),
        "conv1d" => (x => Tensor.Conv1d(x[0], x[1], x[2], stride: 2, padding: 2), "Reshape", [Input(17, 2, 3, 7), Input(18, 2, 3, 3), Input(19, 2)]),
        "conv_transpose2d" => (x => Tensor.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1, groups: 2), "ConvTranspose2d", [Input(20, 2, 4, 3, 2), Input(21, 4, 1, 3, 3), Input(22, 2)]),
        "unfold_fold" => (x => Tensor.Fold(Tensor.Unfold(x[0], (2, 3), padding: 1, stride: (1, 2)) * x[1], (4, 5), (2, 3), padding: 1, stride: (1, 2)), "Fold", [Input(23, 2, 2, 4, 5), Input(24, 12, 15)]),
        "max_pool" => (x => Tensor.MaxPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true), "MaxPool2d", [Input(25, 2, 2, 6, 5)]),
        "max_pool_dilated" => (x => Tensor.MaxPool2d(x[0], 2, stride: 1, dilation: 2), "MaxPool2d", [Input(26, 1, 2, 5, 5)]),
        "avg_pool" => (x => Tensor.AvgPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) + Tensor.AvgPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true), "Add", [Input(27, 2, 2, 6, 5)]),
        "adaptive_pools" => (x => Tensor.AdaptiveAvgPool2d(x[0], (3, 2)) * Tensor.AdaptiveMaxPool2d(x[0], (3, 2)), "Mul", [Input(28, 2, 2, 5, 7)]),
        "attention" => (x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2], AttendMask, isCausal: true), "ScaledDotProductAttention", [Input(29, 2, 3, 4), Input(30, 2, 5, 4), Input(31, 2, 5, 4)]),
        "attention_float_mask" => (x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2], Input(32, 3, 5).To(x[0].DType), scale: 0.7), "ScaledDotProductAttention", [Input(33, 2, 3, 4), Input(34, 2, 5, 4), Input(35, 2, 5, 4)]),
        "masked_softmax" => (x => x[0].MaskedSoftmax(BlockMask, 1), "MaskedSoftmax", [Input(36, 3, 5)]),
        "embedding" => (x => Tensor.Embedding(Ids, x[0]), "Embedding", [Input(37, 4, 3)]),
        "dropout" => (x => Tensor.Dropout(x[0], 0.3f, generator: new Generator(38)), "Dropout", [Input(39, 4, 5)]),
        "lstm" => (x => Tensor.RecurrentSequence(CellKind.Lstm, x[0], x[1], x[2], x[3], x[4], reverse: true), "LSTM", [Input(40, 3, 2, 8), Input(41, 8, 2), Input(42, 8), Input(43, 2, 2), Input(44, 2, 2)]),
        "gru" => (x => Tensor.RecurrentSequence(CellKind.Gru, x[0], x[1], x[2], x[3], null, reverse: false), "GRU", [Input(45, 3, 2, 6), Input(46, 6, 2), Input(47, 6), Input(48, 2, 2)]),
        "rnn" => (x => Tensor.RecurrentSequence(CellKind.RnnTanh, x[0], x[1], null, x[2], null, reverse: false), "RNN", [Input(49, 4, 2, 3), Input(50, 3, 3), Input(51, 2, 3)]),
        "upsample" => (x => Tensor.Upsample(x[0], (5, 7), mode: UpsampleMode.Bilinear) + Tensor.Upsample(x[0], (5, 7)), "Add", [Input(65, 2, 2, 3, 4)]),
        "upsample_aligned" => (x => Tensor.Upsample(x[0], scaleFactor: 2, mode: UpsampleMode.Bilinear, alignCorners: true), "Upsample", [Input(66, 1, 2, 3, 3)]),
        "bce" => (x => Tensor.BinaryCrossEntropyWithLogits(x[0], x[1]) + Tensor.BinaryCrossEntropy(x[0].Sigmoid(), x[1]), "Add", [Input(54, 3, 4), Input(55, 3, 4)]),
        "scatter" => (x => x[0].Scatter(1, Tensor.FromArray([2L, 0, 2, 1, 1, 3], 2, 3), x[1]), "Scatter", [Input(56, 2, 4), Input(57, 2, 3)]),
        "scatter_add" => (x => x[0].ScatterAdd(0, Tensor.FromArray([1L, 0, 1, 1], 2, 2), x[1]), "ScatterAdd", [Input(58, 3, 2), Input(59, 2, 3)]),
        "index_add" => (x => x[0].IndexAdd(1, Tensor.FromArray([2L, 0, 2]), x[1]), "IndexAdd", [Input(60, 2, 3), Input(61, 2, 3)]),
        "einsum" => (x => Tensor.Einsum("bij,bjk->bik", x[0], x[1]) + Tensor.Einsum("bij,j->bi", x[0], x[2]).Unsqueeze(2), "Add", [Input(62, 2, 3, 4), Input(63, 2, 4, 3), Input(64, 4)]),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Which keys each query may attend to (true = attend); with the causal mask, query 0 attends to none.</summary>
    private static readonly Tensor AttendMask = Tensor.FromArray([false, true, true, true, true, true, false, true, true, true, true, true, true, false, true], 3, 5);

    /// <summary>Elements a masked softmax leaves out (true = masked); row 1 is masked whole.</summary>
    private static readonly Tensor BlockMask = Tensor.FromArray([true, false, false, true, false, true, true, true, true, true, false, false, false, false, true], 3, 5);

    public static TheoryData<string> Cases =>
    [
        "batch_norm_training", "batch_norm_eval", "layer_norm", "group_norm", "conv2d", "conv2d_dilated_same", "conv1d", "conv_transpose2d",
        "unfold_fold", "max_pool", "max_pool_dilated", "avg_pool", "adaptive_pools", "attention", "attention_float_mask", "masked_softmax",
        "embedding", "dropout", "lstm", "gru", "rnn", "bce", "scatter", "scatter_add", "index_add", "einsum",
        "upsample", "upsample_aligned",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFiniteDifferencesInFloat64(string name)
    {
        var (f, _, inputs) = Case(name);
        var doubles = inputs.Select(t => t.Double().SetRequiresGrad()).ToArray();
        var result = GradCheck.Run(f, doubles, atol: 1e-8, rtol: 1e-6);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.MaxAbsError < 1e-8, result.ToString());
        Assert.True(GradCheck.RunGradGrad(f, doubles, atol: 1e-7, rtol: 1e-5).Passed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheFusedFloat32KernelHasTheSecondOrderOfFloat64(string name)
    {
        var (f, op, inputs) = Case(name);
        var floats = inputs.Select(t => t.Clone().SetRequiresGrad()).ToArray();
        var doubles = inputs.Select(t => t.Double().SetRequiresGrad()).ToArray();
        var output = f(floats);
        Assert.Equal(op, output.GradFnName);

        // The float64 path computes what the fused kernel computes.
        AssertNear(name + " output", output, f(doubles));

        // The first order through tensor ops (createGraph recomputes the op) equals the kernel's.
        var loss = (output.Tanh() * Input(99, output.Shape)).Sum();
        var throughOps = Backprop.Autograd.Autograd.Grad([loss], floats, createGraph: true);
        loss.Backward();
        for (var i = 0; i < floats.Length; i++)
        {
            AssertNear($"{name} gradient {i}", floats[i].Grad!, throughOps[i]!);
        }

        var hv32 = HessianVector(f, floats);
        var hv64 = HessianVector(f, doubles);
        for (var i = 0; i < hv32.Length; i++)
        {
            AssertNear($"{name} H·v {i}", hv32[i], hv64[i]);
        }
    }

    private static void AssertNear(string what, Tensor actual, Tensor expected)
    {
        var (a, e) = (actual.Float().ToArray(), expected.Double().ToArray<double>());
        Assert.Equal(e.Length, a.Length);
        for (var k = 0; k < e.Length; k++)
        {
            Assert.True(Math.Abs(a[k] - e[k]) <= 2e-4 * Math.Max(1, Math.Abs(e[k])), $"{what}[{k}]: {a[k]} against {e[k]}");
        }
    }

    [Fact]
    public void TheEmbeddingsPaddingRowGetsNoGradientInEitherPass()
    {
        var table = Input(52, 4, 3);
        var weights = Input(53, 2, 3, 3);
        foreach (var (weight, createGraph) in new[] { (table.Double().SetRequiresGrad(), false), (table.Clone().SetRequiresGrad(), true) })
        {
            var output = (Tensor.Embedding(Ids, weight, paddingIdx: 1) * weights.To(weight.DType)).Sum();
            var grad = Backprop.Autograd.Autograd.Grad([output], [weight], createGraph: createGraph)[0]!.Double().ToArray<double>();
            Assert.Equal([0.0, 0.0, 0.0], grad[3..6]);
            Assert.NotEqual(0.0, grad[0]);
        }
    }

    private static readonly Tensor Ids = Tensor.FromArray([2L, 1, 0, 2, 3, 1], 2, 3);

    /// <summary>H·v for the loss Σ tanh(f(x))·c, with fixed c and v, through createGraph.</summary>
    private static Tensor[] HessianVector(Func<Tensor[], Tensor> f, Tensor[] x)
    {
        var output = f(x);
        var c = Input(99, output.Shape).To(output.DType);
        var grads = Backprop.Autograd.Autograd.Grad([(output.Tanh() * c).Sum()], x, createGraph: true);
        var dot = grads.Select((g, i) => (g! * Input(100 + (ulong)i, x[i].Shape).To(x[i].DType)).Sum()).Aggregate((a, b) => a + b);
        return Backprop.Autograd.Autograd.Grad([dot], x).Select(g => g!).ToArray();
    }
}
