using Backprop.IO;
using Backprop.NN.Losses;

namespace Backprop.Tests.IO;

/// <summary>
/// Ops of the API issue against what PyTorch 1.13 computed (Fixtures/pytorch/ops.safetensors, written by
/// make_ops.py beside it): outputs, and the input gradients of sum(out · gout), within 1e-5 relative.
/// </summary>
public class PyTorchOpFixtureTests
{
    private static readonly Backprop.NN.StateDict Fixture =
        Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "ops.safetensors")).Tensors;

    public static TheoryData<string> Cases => new()
    {
        "sin", "cos", "reciprocal", "rsqrt", "silu", "var1", "std0_biased", "logsumexp1", "dot", "vecmatmul", "outer", "tril", "triu",
        "gather", "scatter", "scatter_add", "index_add", "index_select", "where", "masked_fill", "masked_select", "sort1_desc", "topk2_dim0", "max_dim1",
        "log1p", "expm1", "softplus", "elu", "hardtanh", "pow_tensor", "maximum", "minimum", "expand", "repeat", "flip", "roll",
        "pad_constant", "pad_reflect", "pad_replicate", "pad_circular", "sum_dims", "mean_dims", "norm2", "norm3", "prod1", "cumsum",
        "einsum_attention", "einsum_bilinear", "einsum_trace_sum",
        "ce_weight_ignore", "ce_smooth_weight", "ce_smooth_ignore", "ce_pixels_sum", "ce_tokens_none", "ce_probs", "nll_weight",
        "l1", "smooth_l1", "bce", "kldiv_batchmean", "kldiv_logtarget",
        "index_ranges", "index_last", "index_mixed", "slice_step", "slice_negative", "var_dims", "std_dims_biased", "logsumexp_dims",
    };

    private static readonly Tensor W5 = Tensor.Linspace(0.5f, 1.5f, 5);

    /// <summary>The op of a case; <paramref name="i"/> is its int64 index or bool mask, and an op with indices returns them too.</summary>
    private static (Tensor Output, Tensor? Indices) Apply(string name, Tensor x, Tensor? y, Tensor? i) => name switch
    {
        "gather" => (x.Gather(1, i!), null),
        "scatter" => (x.Scatter(1, i!, y!), null),
        "scatter_add" => (x.ScatterAdd(1, i!, y!), null),
        "index_add" => (x.IndexAdd(0, i!, y!), null),
        "index_select" => (x.IndexSelect(0, i!), null),
        "where" => (Tensor.Where(i!, x, y!), null),
        "masked_fill" => (x.MaskedFill(i!, -2.5), null),
        "masked_select" => (x[i!], null),
        "sort1_desc" => x.Sort(1, descending: true),
        "topk2_dim0" => x.TopK(2, 0),
        "max_dim1" => x.MaxWithIndices(1),
        "ce_weight_ignore" => (new CrossEntropyLoss(weight: W5).Forward(x, i!), null),
        "ce_smooth_weight" => (new CrossEntropyLoss(weight: W5, ignoreIndex: 2, labelSmoothing: 0.2f).Forward(x, i!), null),
        "ce_smooth_ignore" => (new CrossEntropyLoss(ignoreIndex: 1, labelSmoothing: 0.3f).Forward(x, i!), null),
        "ce_pixels_sum" => (new CrossEntropyLoss(Reduction.Sum).Forward(x, i!), null),
        "ce_tokens_none" => (new CrossEntropyLoss(Reduction.None).Forward(x, i!), null),
        "ce_probs" => (new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(x, i!), null),
        "nll_weight" => (new NLLLoss(weight: Tensor.Linspace(1f, 2f, 3)).Forward(x.LogSoftmax(1), i!), null),
        "l1" => (new L1Loss().Forward(x, y!), null),
        "smooth_l1" => (new SmoothL1Loss(beta: 0.5f).Forward(x, y!), null),
        "bce" => (new BCELoss().Forward(x.Sigmoid(), i!), null),
        "kldiv_batchmean" => (new KLDivLoss(Reduction.BatchMean).Forward(x.LogSoftmax(1), i!), null),
        "kldiv_logtarget" => (new KLDivLoss(Reduction.Sum, logTarget: true).Forward(x.LogSoftmax(1), i!), null),
        _ => (Apply(name, x, y), null),
    };

    private static Tensor Apply(string name, Tensor x, Tensor? y) => name switch
    {
        "sin" => x.Sin(),
        "cos" => x.Cos(),
        "reciprocal" => x.Reciprocal(),
        "rsqrt" => x.Rsqrt(),
        "silu" => x.Silu(),
        "var1" => x.Var(1),
        "std0_biased" => x.Std(0, unbiased: false),
        "logsumexp1" => x.LogSumExp(1),
        "logsumexp_dims" => (x * 3f).LogSumExp([0, 2]),
        "dot" => x.Dot(y!),
        "vecmatmul" => x.MatMul(y!),
        "outer" => x.Outer(y!),
        "tril" => x.Tril(-1),
        "triu" => x.Triu(1),
        "log1p" => x.Log1p(),
        "expm1" => x.Expm1(),
        "softplus" => (x * 8f).Softplus(0.5f, 3f),
        "elu" => x.Elu(0.7f),
        "hardtanh" => x.Hardtanh(-0.5f, 0.8f),
        "pow_tensor" => x.Pow(y!),
        "maximum" => Tensor.Maximum(x, y!),
        "minimum" => Tensor.Minimum(x, y!),
        "expand" => x.Expand(2, 3, 4),
        "repeat" => x.Repeat(2, 1, 3),
        "flip" => x.Flip(0, 2),
        "roll" => x.Roll([1, -2], [0, 1]),
        "pad_constant" => x.Pad([1, 2, 0, 1], PadMode.Constant, 0.5),
        "pad_reflect" => x.Pad([2, 1], PadMode.Reflect),
        "pad_replicate" => x.Pad([2, 1, 1, 2], PadMode.Replicate),
        "pad_circular" => x.Pad([2, 1], PadMode.Circular),
        "sum_dims" => x.Sum([0, 2], keepDim: true),
        "mean_dims" => x.Mean([1, 2]),
        "norm2" => x.Norm(2f, [1]),
        "norm3" => x.Norm(3f),
        "prod1" => x.Prod(1),
        "cumsum" => x.CumSum(0),
        "einsum_attention" => Tensor.Einsum("bhqd,bhkd->bhqk", x, y!),
        "einsum_bilinear" => Tensor.Einsum("bi,ij->bj", x, y!),
        "einsum_trace_sum" => Tensor.Einsum("ijk->j", x),
        "index_ranges" => x[.., 1..3],
        "index_last" => x[^1],
        "index_mixed" => x[0, 1.., ^2..],
        "slice_step" => x[1..].Slice(1, 0, step: 2),
        "slice_negative" => x.Slice(1, -5, -1, 3),
        "var_dims" => x.Var([0, 2]),
        "std_dims_biased" => x.Std([1, 2], unbiased: false, keepDim: true),
        _ => throw new ArgumentException(name),
    };

    internal static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"{what} element {i}: PyTorch {e[i]}, Backprop {a[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputsAndGradientsMatchPyTorch(string name)
    {
        var x = Fixture[name + ".x"].Clone().SetRequiresGrad();
        var y = Fixture.TryGetValue(name + ".y", out var yv) ? yv.Clone().SetRequiresGrad() : null;
        var (output, indices) = Apply(name, x, y, Fixture.TryGetValue(name + ".i", out var i) ? i : null);
        AssertClose(Fixture[name + ".out"], output, name);
        if (Fixture.TryGetValue(name + ".idx", out var expectedIndices))
        {
            Assert.Equal(DType.Int64, indices!.DType);
            Assert.Equal(expectedIndices.ToArray<long>(), indices.ToArray<long>());
        }

        (output * Fixture[name + ".gout"]).Sum().Backward();
        AssertClose(Fixture[name + ".gx"], x.Grad!, name + " dx");
        if (y is not null)
        {
            AssertClose(Fixture[name + ".gy"], y.Grad!, name + " dy");
        }
    }
}
