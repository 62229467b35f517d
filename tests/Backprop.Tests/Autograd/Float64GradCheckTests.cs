using Backprop.Autograd;
using Backprop.NN.Losses;

namespace Backprop.Tests.Autograd;

/// <summary>
/// The ops with a float64 path, checked in float64 against finite differences with tolerances a float32 check could
/// not meet, and each op's backward through tensor ops checked again at second order (GradGradCheck).
/// </summary>
public class Float64GradCheckTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -1.5f, 1.5f, new Generator(seed)).Double().SetRequiresGrad();

    private static Tensor Positive(ulong seed, params int[] shape) => Tensor.Uniform(shape, 0.5f, 2f, new Generator(seed)).Double().SetRequiresGrad();

    /// <summary>Every case: a name, the function and its inputs.</summary>
    private static (Func<Tensor[], Tensor> F, Tensor[] Inputs) Case(string name) => name switch
    {
        "add_broadcast" => (x => x[0] + x[1], [Input(1, 3, 4), Input(2, 4)]),
        "sub_broadcast" => (x => x[0] - x[1], [Input(3, 2, 1, 3), Input(4, 4, 1)]),
        "mul_broadcast" => (x => x[0] * x[1], [Input(5, 3, 1), Input(6, 1, 5)]),
        "div_broadcast" => (x => x[0] / x[1], [Input(7, 2, 3), Positive(8, 3)]),
        "scalars" => (x => ((x[0] * 0.3) + 1.7 - (2.5 / x[0].Exp())) * 4.0, [Input(9, 5)]),
        "neg_pow" => (x => (-x[0]).Pow(2f) + x[0].Pow(3f) + x[1].Pow(-1.5f), [Input(10, 4), Positive(11, 4)]),
        "exp_log_sqrt" => (x => x[0].Exp() + x[1].Log() + x[1].Sqrt() + x[1].Rsqrt() + x[1].Reciprocal(), [Input(12, 6), Positive(13, 6)]),
        "trig" => (x => x[0].Sin() * x[0].Cos(), [Input(14, 7)]),
        "activations" => (x => x[0].Tanh() + x[0].Sigmoid() + x[0].Silu(), [Input(15, 3, 3)]),
        "relu_abs" => (x => (x[0] + 0.05).Relu() + (x[0] - 0.05).Abs(), [Input(16, 9)]),
        "reductions" => (x => x[0].Sum(1) * x[0].Mean(0).Sum() + x[0].Mean([0, 2], keepDim: true).Sum(), [Input(17, 3, 4, 2)]),
        "matmul" => (x => x[0].MatMul(x[1]), [Input(18, 3, 4), Input(19, 4, 2)]),
        "matmul_batched" => (x => x[0].MatMul(x[1]), [Input(20, 2, 1, 3, 4), Input(21, 3, 4, 2)]),
        "matmul_vectors" => (x => x[0].MatMul(x[1]) + x[1].MatMul(x[2]).Sum(), [Input(22, 4), Input(23, 4), Input(24, 4, 3)]),
        "linear" => (x => Tensor.Linear(x[0], x[1], x[2]), [Input(25, 2, 3, 4), Input(26, 5, 4), Input(27, 5)]),
        "softmax" => (x => x[0].Softmax(0) * x[0].LogSoftmax(1), [Input(28, 3, 4)]),
        "shape_ops" => (x => x[0].Reshape(6, 2).T.Permute(1, 0).Unsqueeze(1).Expand(6, 3, 2).Squeeze().Transpose(0, 2), [Input(29, 3, 4)]),
        "mixed_precision" => (x => (x[0].Float().Tanh().Double() * x[1]).Sum(), [Input(30, 5), Input(31, 5)]),
        "select_cat_stack" => (x => Tensor.Stack([Tensor.Cat([x[0].Narrow(1, 1, 2), x[0].IndexSelect(0, [2, 0, 2])], 1), x[1].Chunk(2, 1)[1].Exp()]).Tanh(), [Input(36, 3, 4), Input(37, 3, 12)]),
        "remaps" => (x => x[0].Flip(0).Roll(1, 1).Repeat(2, 1).Pad([1, 2], PadMode.Reflect)[.., 1..5].Slice(0, 0, 6, 2) * x[0].Sum(), [Input(38, 3, 4)]),
        "where_masks" => (x => Tensor.Where(x[0].Gt(0.0), x[0] * x[1], x[1].Exp()).Sum(0) + x[0].MaskedFill(x[1].Lt(0.0), 2.0).MaskedSelect(x[0].Gt(-0.5)).Pow(2f).Sum(), [Input(39, 4, 3), Input(40, 3)]),
        "losses" => (x => new MSELoss().Forward(x[0], x[1]) + new L1Loss(Reduction.Sum).Forward(x[0], x[1]) + new SmoothL1Loss(beta: 0.5f).Forward(x[0], x[1]) + new HuberLoss(delta: 0.7f).Forward(x[0], x[1]), [Input(41, 4, 3), Input(42, 4, 3)]),
        "cross_entropy" => (x => new CrossEntropyLoss().Forward(x[0], Classes) + new CrossEntropyLoss(Reduction.Sum, labelSmoothing: 0.1f).Forward(x[0], Classes), [Input(43, 5, 4)]),
        "cross_entropy_weights" => (x => new CrossEntropyLoss(weight: Tensor.FromArray([0.5f, 1f, 2f, 1.5f]), ignoreIndex: 3, labelSmoothing: 0.2f).Forward(x[0], Classes) + new NLLLoss().Forward(x[0].LogSoftmax(1), Classes), [Input(44, 5, 4)]),
        "cross_entropy_pixels_probabilities" => (x => new CrossEntropyLoss().Forward(x[0], Tensor.FromArray([1L, 0, 3, 2, 2, 1], 2, 3)) + new CrossEntropyLoss().Forward(x[1], Probabilities) + new KLDivLoss(Reduction.BatchMean).Forward(x[1].LogSoftmax(1), Probabilities), [Input(45, 2, 4, 3), Input(46, 3, 4)]),
        "activations_more" => (x => x[0].Gelu() + x[0].Erf() + x[0].LeakyRelu(0.2f) + x[0].Elu(0.7f) + x[0].Softplus(2f, 2f) + x[1].Log1p() + x[0].Expm1(), [Input(48, 3, 4), Positive(49, 3, 4)]),
        "extrema" => (x => x[0].Max(1) + x[0].Min(0).Sum() + x[0].Max() - x[0].Min() + Tensor.Maximum(x[0], x[1]).Sum(0) + Tensor.Minimum(x[0], x[1]).Mean(0) + x[0].MaxWithIndices(1).Values, [Input(50, 4, 4), Input(51, 4)]),
        "sort_topk" => (x => x[0].Sort(1).Values.Pow(3f).Sum(0) + x[0].TopK(2, 0, largest: false).Values.Exp().Sum(0), [Input(52, 3, 4)]),
        "pow_tensor" => (x => x[0].Pow(x[1]) + x[0].Pow(x[2]).Sum(0), [Positive(54, 3, 4), Input(55, 3, 4), Input(56, 4)]),
        "cumsum_prod" => (x => (x[0].CumSum(1) * x[0].Prod(1, keepDim: true)).Sum(0) + x[0].Prod(0) + x[0].CumSum(0).Prod(), [Input(53, 3, 4)]),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Cases =>
    [
        "add_broadcast", "sub_broadcast", "mul_broadcast", "div_broadcast", "scalars", "neg_pow", "exp_log_sqrt", "trig",
        "activations", "relu_abs", "reductions", "matmul", "matmul_batched", "matmul_vectors", "linear", "softmax", "shape_ops",
        "select_cat_stack", "remaps", "where_masks", "losses", "cross_entropy", "cross_entropy_weights", "cross_entropy_pixels_probabilities",
        "activations_more", "extrema", "sort_topk", "cumsum_prod", "pow_tensor",
    ];

    private static readonly Tensor Classes = Tensor.FromArray([2L, 0, 3, 1, 3]);

    private static readonly Tensor Probabilities = Tensor.Uniform([3, 4], -1f, 1f, new Generator(47)).Double().Softmax(1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFiniteDifferencesInFloat64(string name)
    {
        var (f, inputs) = Case(name);
        var result = GradCheck.Run(f, inputs, atol: 1e-8, rtol: 1e-6);
        Assert.Equal(DType.Float64, result.DType);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.Checked > 0);
        Assert.True(result.MaxAbsError < 1e-8, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SecondDerivativesMatchFiniteDifferences(string name)
    {
        var (f, inputs) = Case(name);
        var result = GradCheck.RunGradGrad(f, inputs, atol: 1e-7, rtol: 1e-5);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.Checked > 0);
    }

    [Fact]
    public void Float32InputsAreCheckedInFloat64ByDefaultAndMixedGraphsGoBackThroughTheConversion()
    {
        // A float32 leaf is copied to float64 for the check; the conversion inside the function (Float()) is differentiable.
        var (f, inputs) = Case("mixed_precision");
        Assert.True(GradCheck.Run(f, inputs, eps: 1e-3, atol: 1e-3, rtol: 1e-2).Passed);
        var leaf = Tensor.Uniform([4], -1f, 1f, new Generator(32)).SetRequiresGrad();
        Assert.Equal(DType.Float64, GradCheck.Run(x => x[0].Tanh().Sum(), [leaf]).DType);

        // A float32 loss over a float64 middle: the fast engine hands the pass to the tensor-op engine, and the leaf gets a float32 gradient.
        var w = Tensor.FromArray([0.5f, -1f, 2f]).SetRequiresGrad();
        (w.Double().Exp() * 2.0).Float().Sum().Backward();
        Assert.Equal(DType.Float32, w.Grad!.DType);
        Assert.Equal([2 * MathF.Exp(0.5f), 2 * MathF.Exp(-1f), 2 * MathF.Exp(2f)], w.Grad.ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void TheFusedFloat32CrossEntropyHasASecondOrder()
    {
        // Float32 without weights takes the fused kernel; its backward through tensor ops gives the second order.
        var logits = Tensor.Uniform([5, 4], -1.5f, 1.5f, new Generator(48)).SetRequiresGrad();
        var loss = new CrossEntropyLoss(labelSmoothing: 0.1f);
        Assert.Equal("CrossEntropy", loss.Forward(logits, Classes).GradFnInputs[0].GradFnName);
        var result = GradCheck.RunGradGrad(x => loss.Forward(x[0], Classes), [logits], eps: 1e-2, atol: 2e-3, rtol: 2e-2, dtype: DType.Float32);
        Assert.True(result.Passed, result.ToString());

        // The first order through tensor ops equals the kernel's.
        var throughOps = Backprop.Autograd.Autograd.Grad([loss.Forward(logits, Classes)], [logits], createGraph: true)[0]!.ToArray();
        logits.ZeroGrad();
        loss.Forward(logits, Classes).Backward();
        Assert.Equal(logits.Grad!.ToArray(), throughOps, new FloatTolerance(1e-6f));
    }

    [Fact]
    public void ACustomFunctionRunsInFloat64AndAtSecondOrder()
    {
        var x = Input(33, 3, 2);
        Assert.True(GradCheck.Run(v => new Cube().Apply(v[0]), [x], atol: 1e-8, rtol: 1e-6).Passed);
        Assert.True(GradCheck.RunGradGrad(v => new Cube().Apply(v[0]), [x]).Passed);
    }

    [Fact]
    public void ScalarOptionsOfTheElementwiseOpsAreExactInFloat64()
    {
        var x = Tensor.FromArray([-0.7, 0.3, -2.0]);
        Assert.Equal([-0.7 * 0.1, 0.3, -2.0 * 0.1], x.LeakyRelu(0.1).ToArray<double>());
        Assert.Equal([0.3 * (Math.Exp(-0.7) - 1), 0.3, 0.3 * (Math.Exp(-2.0) - 1)], x.Elu(0.3).ToArray<double>(), new DoubleTolerance(1e-15));
        Assert.Equal([-0.3, 0.3, -0.3], x.Hardtanh(-0.3, 0.3).ToArray<double>());
        Assert.Equal(Math.Log(1 + Math.Exp(0.3 * 0.3)) / 0.3, x.Softplus(0.3, 1.0).ToArray<double>()[1], 1e-15);
        Assert.Equal(0.3, x.Softplus(0.3, 0.05).ToArray<double>()[1]);
        Assert.Equal([(float)(-0.7 * (float)0.1)], Tensor.FromArray([-0.7f]).LeakyRelu(0.1).ToArray());
    }

    private sealed class DoubleTolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(b));

        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public void InPlaceOpsRunInFloat64AndOtherDTypesSayWhich()
    {
        var w = Tensor.FromArray([1.0, -2.0, 3.0]);
        w.AddInPlace(Tensor.FromArray([0.5]), 2f).MulInPlace(0.5f).ReluInPlace();
        Assert.Equal([1.0, 0.0, 2.0], w.ToArray<double>());
        var mixed = Assert.Throws<ArgumentException>(() => w.AddInPlace(Tensor.FromArray([1f, 2f, 3f])));
        Assert.Contains("AddInPlace", mixed.Message, StringComparison.Ordinal);
        Assert.Contains("Double()", mixed.Message, StringComparison.Ordinal);
        var ints = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1L, 2L]).MulInPlace(2f));
        Assert.Contains("MulInPlace", ints.Message, StringComparison.Ordinal);
        Assert.Contains("int64", ints.Message, StringComparison.Ordinal);
    }

    private sealed class Cube : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0]);
            return inputs[0] * inputs[0] * inputs[0];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            var x = ctx.SavedTensors[0];
            return [gradOutput * x * x * 3f];
        }
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => MathF.Abs(a - b) <= tolerance * MathF.Max(1f, MathF.Abs(b));

        public int GetHashCode(float value) => 0;
    }
}
