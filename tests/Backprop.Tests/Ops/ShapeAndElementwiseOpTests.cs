using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.Ops;

/// <summary>The elementwise, shape, reduction and product ops of the API issue: gradients against finite differences, values and errors by hand.</summary>
public class ShapeAndElementwiseOpTests
{
    [Fact]
    public void ElementwiseGradients()
    {
        AssertGradCheck(x => x[0].Log1p(), Positive(1, 3, 4));
        AssertGradCheck(x => x[0].Expm1(), Input(2, 3, 4));
        AssertGradCheck(x => x[0].Softplus(), Input(3, 3, 4));
        AssertGradCheck(x => (x[0] * 10f).Softplus(0.5f, 4f), Input(4, 5));
        AssertGradCheck(x => x[0].Elu(0.5f), Input(5, 3, 4));
        AssertGradCheck(x => x[0].Pow(x[1]), Positive(6, 3, 4), Input(7, 4));
        AssertGradCheck(x => Tensor.Maximum(x[0], x[1]), Input(8, 3, 4), Input(9, 3, 1));
        AssertGradCheck(x => Tensor.Minimum(x[0], x[1]), Input(10, 2, 3), Input(11, 3));
        AssertGradCheck(x => x[0].Sign() * x[0], Input(12, 6));
    }

    [Fact]
    public void ElementwiseValues()
    {
        Assert.Equal([-1f, 0f, 1f], Tensor.FromArray([-3f, 0f, 0.1f]).Sign().ToArray());
        Assert.True(float.IsNaN(Tensor.FromArray([float.NaN]).Sign().Item()));
        Assert.Equal(1e-10f, Tensor.FromArray([1e-10f]).Log1p().Item(), 1e-16f);
        Assert.Equal(1e-10f, Tensor.FromArray([1e-10f]).Expm1().Item(), 1e-16f);
        Assert.Equal([30f, MathF.Log(2f)], Tensor.FromArray([30f, 0f]).Softplus().ToArray());
        Assert.Equal([-0.5f, 0.25f, 1f], Tensor.FromArray([-4f, 0.25f, 3f]).Hardtanh(-0.5f, 1f).ToArray());
        Assert.Equal([8f, 1f], Tensor.FromArray([2f, 5f]).Pow(Tensor.FromArray([3f, 0f])).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones(2).Softplus(0f));

        // Where the operands tie, each receives half the gradient, as in PyTorch; NaN propagates.
        var a = Tensor.FromArray([1f, 2f, 3f]).SetRequiresGrad();
        var b = Tensor.FromArray([1f, 5f, float.NaN]).SetRequiresGrad();
        var m = Tensor.Maximum(a, b);
        Assert.Equal(1f, m[0]);
        Assert.Equal(5f, m[1]);
        Assert.True(float.IsNaN(m[2]));
        Tensor.Maximum(a, Tensor.FromArray([1f, 5f, 0f]).SetRequiresGrad()).Sum().Backward();
        Assert.Equal([0.5f, 0f, 1f], a.Grad!.ToArray());
    }

    [Fact]
    public void ShapeOpGradients()
    {
        AssertGradCheck(x => x[0].Expand(2, 3, 4), Input(20, 3, 1));
        AssertGradCheck(x => x[0].Expand(-1, 5), Input(21, 2, 1));
        AssertGradCheck(x => x[0].Repeat(2, 1, 3), Input(22, 2, 3));
        AssertGradCheck(x => x[0].Flip(0, 2), Input(23, 2, 3, 4));
        AssertGradCheck(x => x[0].Roll(2, 1), Input(24, 3, 5));
        AssertGradCheck(x => x[0].Pad([1, 2, 0, 1], PadMode.Constant, 0.5), Input(25, 2, 3, 4));
        AssertGradCheck(x => x[0].Pad([2, 2], PadMode.Reflect), Input(26, 2, 3));
        AssertGradCheck(x => x[0].Pad([3, 1, 1, 0], PadMode.Replicate), Input(27, 2, 3));
        AssertGradCheck(x => x[0].Pad([1, 3], PadMode.Circular), Input(28, 2, 3));
        AssertGradCheck(x => x[0].Pad([-1, 1]), Input(29, 2, 4));
    }

    [Fact]
    public void ShapeOpValuesAndErrors()
    {
        var row = Tensor.FromArray([1f, 2f, 3f]);
        Assert.Equal([3f, 2f, 1f, 2f, 3f, 2f, 1f], row.Pad([2, 2], PadMode.Reflect).ToArray());
        Assert.Equal([1f, 1f, 1f, 2f, 3f, 3f, 3f], row.Pad([2, 2], PadMode.Replicate).ToArray());
        Assert.Equal([2f, 3f, 1f, 2f, 3f, 1f, 2f], row.Pad([2, 2], PadMode.Circular).ToArray());
        Assert.Equal([0f, 1f, 2f, 3f, 0f], row.Pad([1, 1]).ToArray());
        Assert.Equal([2f], row.Pad([-1, -1]).ToArray());
        Assert.Equal([3f, 1f, 2f], row.Roll(1, 0).ToArray());
        Assert.Equal([2f, 3f, 1f], row.Roll(-1, 0).ToArray());
        Assert.Equal([3f, 2f, 1f], row.Flip(0).ToArray());
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], row.Repeat(2).ToArray());
        Assert.Equal([2, 3], row.Expand(2, 3).Shape);
        Assert.Equal([1L, 1, 2, 2], Tensor.FromArray([1L, 2L], 2, 1).Expand(2, 2).ToArray<long>());
        Assert.Equal([true, false, true, false], Tensor.FromArray([true, false]).Repeat(2).ToArray<bool>());
        Assert.Contains("Reflect", Assert.Throws<ArgumentException>(() => row.Pad([3, 0], PadMode.Reflect)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => row.Pad([1]));
        Assert.Contains("cannot be expanded", Assert.Throws<ArgumentException>(() => row.Expand(2, 4)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).Repeat(2));
    }

    [Fact]
    public void ReductionGradients()
    {
        AssertGradCheck(x => x[0].Sum([0, 2], keepDim: true), Input(30, 2, 3, 4));
        AssertGradCheck(x => x[0].Mean([-1, 0]), Input(31, 2, 3, 4));
        AssertGradCheck(x => x[0].Norm(), Input(32, 3, 4));
        AssertGradCheck(x => x[0].Norm(1f, [1]), Input(33, 3, 4));
        AssertGradCheck(x => x[0].Norm(3f, [0], keepDim: true), Input(34, 3, 4));
        AssertGradCheck(x => x[0].Norm(float.PositiveInfinity, [1]), Input(35, 3, 4));
        AssertGradCheck(x => x[0].Prod(1), Input(36, 3, 4));
        AssertGradCheck(x => x[0].Prod(), Input(37, 5));
        AssertGradCheck(x => x[0].CumSum(1), Input(38, 3, 4));
        AssertGradCheck(x => x[0].CumSum(0), Input(39, 4, 2));
        AssertGradCheck(x => x[0].Var([0, 2]), Input(54, 2, 3, 4));
        AssertGradCheck(x => x[0].Std([1, 2], unbiased: false, keepDim: true), Input(55, 2, 3, 4));
    }

    [Fact]
    public void ReductionValues()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal(21f, x.Sum([0, 1]).Item());
        Assert.Equal([1, 1], x.Sum([0, 1], keepDim: true).Shape);
        Assert.Equal([2f, 5f], x.Mean([1]).ToArray());
        Assert.Equal(MathF.Sqrt(91f), x.Norm().Item(), 5);
        Assert.Equal([3f, 6f], x.Norm(float.PositiveInfinity, [1]).ToArray());
        Assert.Equal([6f, 120f], x.Prod(1).ToArray());
        Assert.Equal(3.5f, x.Var([0, 1]).Item(), 5);
        Assert.Equal(x.Reshape(6).Var(0).Item(), x.Var([0, 1]).Item(), 6);
        Assert.Equal([1, 1], x.Std([0, 1], unbiased: false, keepDim: true).Shape);
        Assert.Equal([1f, 3f, 6f, 4f, 9f, 15f], x.CumSum(1).ToArray());
        Assert.Throws<ArgumentException>(() => x.Sum([1, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Norm(0f));

        // The product's gradient is the product of the others, exact with a zero among them.
        var z = Tensor.FromArray([2f, 0f, 3f]).SetRequiresGrad();
        z.Prod().Backward();
        Assert.Equal([0f, 6f, 0f], z.Grad!.ToArray());
    }

    [Fact]
    public void EinsumMatchesMatMulAndSums()
    {
        var a = Tensor.Randn([3, 4], new Generator(40));
        var b = Tensor.Randn([4, 5], new Generator(41));
        Assert.Equal(a.MatMul(b).ToArray(), Tensor.Einsum("ij,jk->ik", a, b).ToArray());
        Assert.Equal(a.MatMul(b).ToArray(), Tensor.Einsum("ij,jk", a, b).ToArray());
        Assert.Equal(a.Transpose(0, 1).ToArray(), Tensor.Einsum("ij->ji", a).ToArray());
        Assert.Equal(a.Sum().Item(), Tensor.Einsum("ij->", a).Item(), 5);
        var v = Tensor.Randn([4], new Generator(42));
        Assert.Equal(a.MatMul(v).ToArray(), Tensor.Einsum("ij,j->i", a, v).ToArray());
        var c = Tensor.Randn([5], new Generator(43));
        var chained = Tensor.Einsum("ij,jk,k->i", a, b, c).ToArray();
        var expected = a.MatMul(b).MatMul(c).ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], chained[i], 4);
        }

        AssertGradCheck(x => Tensor.Einsum("bhqd,bhkd->bhqk", x[0], x[1]), Input(44, 2, 2, 3, 4), Input(45, 2, 2, 5, 4));
        AssertGradCheck(x => Tensor.Einsum("bi,ij,bj->b", x[0], x[1], x[2]), Input(46, 3, 4), Input(47, 4, 5), Input(48, 3, 5));
        AssertGradCheck(x => Tensor.Einsum("ijk->ki", x[0]), Input(49, 2, 3, 4));
        Assert.Contains("repeated index", Assert.Throws<ArgumentException>(() => Tensor.Einsum("ii->i", Tensor.Ones(2, 2))).Message, StringComparison.Ordinal);
        Assert.Contains("index 'j' is 4", Assert.Throws<ArgumentException>(() => Tensor.Einsum("ij,jk->ik", a, a)).Message, StringComparison.Ordinal);
        Assert.Contains("2 terms but 1 operands", Assert.Throws<ArgumentException>(() => Tensor.Einsum("ij,jk->ik", a)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RangesIndicesAndSlices()
    {
        var t = Tensor.Arange(12).Reshape(3, 4);
        Assert.Equal([1f, 2f, 5f, 6f, 9f, 10f], t[.., 1..3].ToArray());
        Assert.Equal([3, 2], t[.., 1..3].Shape);
        Assert.Equal([8f, 9f, 10f, 11f], t[^1].ToArray());
        Assert.Equal([4], t[^1].Shape);
        Assert.Equal([4f, 5f, 6f, 7f], t[1, ..].ToArray());
        Assert.Equal(6f, t[1, 2]);
        Assert.Empty(t[1, ^2].Shape);
        Assert.Equal(6f, t[1, ^2].Item());
        Assert.Equal([0, 4], t[5..].Shape);
        Assert.Equal([0f, 2f, 8f, 10f], t.Slice(0, 0, step: 2).Slice(1, 0, step: 2).ToArray());
        Assert.Equal([3, 1], t.Slice(1, -1).Shape);
        Assert.Equal([4f, 5f, 6f, 7f], t.Select(0, -2).ToArray());
        Assert.Equal([2L, 3L], Tensor.FromArray([1L, 2L, 3L])[1..].ToArray<long>());
        Assert.Throws<ArgumentOutOfRangeException>(() => t[3, ..]);
        Assert.Throws<ArgumentException>(() => t[0, 0, ..]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(0, 0, step: 0));

        AssertGradCheck(x => x[0][.., 1..3], Input(50, 3, 5));
        AssertGradCheck(x => x[0][^1, ..2], Input(51, 3, 4));
        AssertGradCheck(x => x[0].Slice(1, 1, step: 3), Input(52, 2, 8));
        AssertGradCheck(x => x[0].Select(1, 2), Input(53, 3, 4));
    }
}
