using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.Ops;

/// <summary>Every differentiable op against central finite differences, with broadcast and odd shapes.</summary>
public class GradCheckOpTests
{
    /// <summary>Values away from 0 so that kinks (ReLU, Abs, Clamp) are not straddled by the finite difference.</summary>
    private static Tensor AwayFromZero(ulong seed, params int[] shape)
    {
        var t = Tensor.Uniform(shape, 0.1f, 2f, new Generator(seed));
        var signs = Tensor.Rand(shape, new Generator(seed + 1));
        var data = t.ToArray();
        for (var i = 0; i < data.Length; i++)
        {
            data[i] *= signs.Span[i] < 0.5f ? -1f : 1f;
        }

        return Tensor.FromArray(data, shape).SetRequiresGrad();
    }

    public static TheoryData<int[], int[]> BroadcastShapes => new()
    {
        { new[] { 3, 4 }, new[] { 3, 4 } },
        { new[] { 3, 4 }, new[] { 4 } },
        { new[] { 2, 3, 1 }, new[] { 1, 5 } },
        { new[] { 1 }, new[] { 2, 3 } },
        { new[] { 5, 1, 3 }, new[] { 1, 4, 1 } },
        { new[] { 17 }, Array.Empty<int>() },
    };

    [Fact]
    public void DotOuterAndVectorMatMul()
    {
        AssertGradCheck(x => x[0].Dot(x[1]), Input(60, 7), Input(61, 7));
        AssertGradCheck(x => x[0].MatMul(x[1]), Input(62, 5), Input(63, 5));
        AssertGradCheck(x => x[0].Outer(x[1]), Input(64, 3), Input(65, 4));
    }

    [Fact]
    public void SplitChunkTrilTriu()
    {
        AssertGradCheck(x => x[0].Split(2, 1)[1] * 3f + x[0].Split([1, 4], 1)[0].Sum(), Input(66, 3, 5));
        AssertGradCheck(x => x[0].Chunk(3, 0)[2].Exp(), Input(67, 7, 2));
        AssertGradCheck(x => x[0].Tril(-1) + x[0].Triu(1) * 2f, Input(68, 2, 4, 5));
    }

    [Fact]
    public void ReciprocalRsqrtAndSilu()
    {
        AssertGradCheck(x => x[0].Reciprocal(), Positive(69, 6));
        AssertGradCheck(x => x[0].Rsqrt(), Positive(70, 6));
        AssertGradCheck(x => x[0].Silu(), Input(71, 3, 3));
    }

    [Fact]
    public void SinAndCos()
    {
        AssertGradCheck(x => x[0].Sin(), Input(50, 3, 5));
        AssertGradCheck(x => x[0].Cos() * x[0], Input(51, 7));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(-1, true)]
    public void VarStdAndLogSumExp(int dim, bool keepDim)
    {
        AssertGradCheck(x => x[0].Var(dim, keepDim: keepDim), Input(52, 4, 5));
        AssertGradCheck(x => x[0].Std(dim, unbiased: false, keepDim: keepDim), Input(53, 4, 5));
        AssertGradCheck(x => x[0].LogSumExp(dim, keepDim), Input(54, 4, 5));
        AssertGradCheck(x => x[0].LogSumExp([0, 2], keepDim), Input(55, 4, 5, 3));
    }

    /// <summary>Linear shares MatMul's backward; batched, single-row and reused inputs (gradients accumulate) included.</summary>
    [Theory]
    [InlineData(new[] { 4, 3 }, 5)]
    [InlineData(new[] { 1, 3 }, 2)]
    [InlineData(new[] { 2, 3, 7 }, 1)]
    [InlineData(new[] { 7 }, 4)]
    public void LinearWithAndWithoutBias(int[] inputShape, int outFeatures)
    {
        var inFeatures = inputShape[^1];
        AssertGradCheck(x => Tensor.Linear(x[0], x[1], x[2]), Input(40, inputShape), Input(41, outFeatures, inFeatures), Input(42, outFeatures));
        AssertGradCheck(x => Tensor.Linear(x[0], x[1], null) * Tensor.Linear(x[0], x[1], x[2]), Input(43, inputShape), Input(44, outFeatures, inFeatures), Input(45, outFeatures));
    }

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Add(int[] a, int[] b) => AssertGradCheck(x => x[0] + x[1], Input(1, a), Input(2, b));

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Sub(int[] a, int[] b) => AssertGradCheck(x => x[0] - x[1], Input(3, a), Input(4, b));

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Mul(int[] a, int[] b) => AssertGradCheck(x => x[0] * x[1], Input(5, a), Input(6, b));

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Div(int[] a, int[] b) => AssertGradCheck(x => x[0] / x[1], Input(7, a), Positive(8, b));

    [Fact]
    public void SameTensorUsedTwice() => AssertGradCheck(x => (x[0] * x[0]) + x[0], Input(9, 3, 5));

    [Fact]
    public void Scalars() => AssertGradCheck(x => (2f - ((x[0] + 1.5f) * 3f)) / 4f, Input(10, 2, 3));

    [Fact]
    public void ScalarDividedByTensor() => AssertGradCheck(x => 2f / x[0], Positive(11, 7));

    [Fact]
    public void Neg() => AssertGradCheck(x => -x[0], Input(12, 4, 1));

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(0.5f)]
    [InlineData(-1.5f)]
    public void Pow(float e) => AssertGradCheck(x => x[0].Pow(e), Positive(13, 3, 3));

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 1, 1 }, new[] { 1, 1 })]
    [InlineData(new[] { 7, 33 }, new[] { 33, 3 })]
    [InlineData(new[] { 4 }, new[] { 4, 2 })]
    [InlineData(new[] { 2, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 4, 2 })]
    public void MatMul(int[] a, int[] b) => AssertGradCheck(x => x[0].MatMul(x[1]), Input(14, a), Input(15, b));

    [Fact]
    public void SumAndMeanOfAll()
    {
        AssertGradCheck(x => x[0].Sum(), Input(16, 3, 4));
        AssertGradCheck(x => x[0].Mean(), Input(17, 5));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    public void SumAndMeanOverDim(int dim, bool keepDim)
    {
        AssertGradCheck(x => x[0].Sum(dim, keepDim), Input(18, 2, 3, 4));
        AssertGradCheck(x => x[0].Mean(dim, keepDim), Input(19, 2, 3, 4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void MaxAndMinOverDim(int dim)
    {
        AssertGradCheck(x => x[0].Max(dim), Input(20, 3, 4, 5));
        AssertGradCheck(x => x[0].Min(dim, keepDim: true), Input(21, 3, 4, 5));
    }

    [Fact]
    public void MaxAndMinOfAll()
    {
        AssertGradCheck(x => x[0].Max(), Input(22, 4, 3));
        AssertGradCheck(x => x[0].Min(), Input(23, 6));
    }

    [Fact]
    public void Exp() => AssertGradCheck(x => x[0].Exp(), Input(24, 3, 5));

    [Fact]
    public void Log() => AssertGradCheck(x => x[0].Log(), Positive(25, 3, 5));

    [Fact]
    public void Sqrt() => AssertGradCheck(x => x[0].Sqrt(), Positive(26, 17));

    [Fact]
    public void Abs() => AssertGradCheck(x => x[0].Abs(), AwayFromZero(27, 4, 4));

    [Fact]
    public void Clamp()
    {
        AssertGradCheck(x => x[0].Clamp(-1f, 1f), AwayFromZero(28, 5, 5));
        AssertGradCheck(x => x[0].Clamp(null, 0.5f), AwayFromZero(29, 9));
    }

    [Fact]
    public void Relu() => AssertGradCheck(x => x[0].Relu(), AwayFromZero(30, 6, 7));

    [Fact]
    public void LeakyRelu() => AssertGradCheck(x => x[0].LeakyRelu(0.1f), AwayFromZero(31, 6, 7));

    [Fact]
    public void Sigmoid() => AssertGradCheck(x => x[0].Sigmoid(), Input(32, 3, 33));

    [Fact]
    public void Tanh() => AssertGradCheck(x => x[0].Tanh(), Input(33, 3, 33));

    [Fact]
    public void Gelu() => AssertGradCheck(x => x[0].Gelu(), Input(34, 5, 7));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Softmax(int dim) => AssertGradCheck(x => x[0].Softmax(dim), Input(35, 3, 4, 5));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void LogSoftmax(int dim) => AssertGradCheck(x => x[0].LogSoftmax(dim), Input(36, 3, 4, 5));

    [Fact]
    public void ReshapeViewFlattenSqueezeUnsqueeze()
    {
        AssertGradCheck(x => x[0].Reshape(4, -1) * x[0].Reshape(4, 6), Input(37, 2, 3, 4));
        AssertGradCheck(x => x[0].View(6, 4).Flatten().Unsqueeze(0).Squeeze(), Input(38, 2, 3, 4));
        AssertGradCheck(x => x[0].Squeeze(1).Unsqueeze(-1), Input(39, 3, 1, 2));
    }

    [Fact]
    public void TransposePermute()
    {
        AssertGradCheck(x => x[0].Transpose(0, 2), Input(40, 2, 3, 4));
        AssertGradCheck(x => x[0].Permute(1, 2, 0) * Tensor.Arange(24).Reshape(3, 4, 2), Input(41, 2, 3, 4));
        AssertGradCheck(x => x[0].T.MatMul(x[0]), Input(42, 5, 3));
    }

    [Fact]
    public void CatAndStack()
    {
        AssertGradCheck(x => Tensor.Cat([x[0], x[1]], 1), Input(43, 2, 3), Input(44, 2, 5));
        AssertGradCheck(x => Tensor.Cat([x[0], x[1], x[0]], 0), Input(45, 2, 3), Input(46, 1, 3));
        AssertGradCheck(x => Tensor.Stack([x[0], x[1]], 1), Input(47, 2, 3), Input(48, 2, 3));
    }

    [Fact]
    public void NarrowIndexSelectGather()
    {
        AssertGradCheck(x => x[0].Narrow(1, 1, 2), Input(49, 3, 4));
        AssertGradCheck(x => x[0].IndexSelect(0, [2, 0, 2]), Input(50, 3, 4));
        AssertGradCheck(x => x[0].Gather(1, Tensor.FromArray([1L, 3, 0, 0, 2, 2], 3, 2)), Input(51, 3, 4));
    }

    [Fact]
    public void ComposedNetwork() => AssertGradCheck(
        x => (x[0].MatMul(x[1]) + x[2]).Tanh().MatMul(x[3]).LogSoftmax(1).Mean(),
        Input(52, 4, 3), Input(53, 3, 5), Input(54, 5), Input(55, 5, 2));
}
