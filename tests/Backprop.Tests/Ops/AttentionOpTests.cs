using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.Ops;

/// <summary>ScaledDotProductAttention: the fused path against the same attention composed of MatMul and Softmax, and under GradCheck.</summary>
public class AttentionOpTests
{
    [Fact]
    public void FusedMatchesComposedWithEveryKindOfMask()
    {
        var q = Tensor.Randn([2, 3, 5, 4], new Generator(1));
        var k = Tensor.Randn([2, 3, 6, 4], new Generator(2));
        var v = Tensor.Randn([2, 3, 6, 4], new Generator(3));
        var keep = Tensor.Rand([2, 1, 5, 6], new Generator(4)).Gt(0.3);
        var additive = Tensor.Randn([5, 6], new Generator(5));
        Same(Composed(q, k, v, null, false, 0.5), Tensor.ScaledDotProductAttention(q, k, v, scale: 0.5));
        Same(Composed(q, k, v, null, true, 0.5), Tensor.ScaledDotProductAttention(q, k, v, isCausal: true));
        Same(Composed(q, k, v, Tensor.Where(keep, Tensor.Zeros(1), double.NegativeInfinity), false, 0.5), Tensor.ScaledDotProductAttention(q, k, v, keep));
        Same(Composed(q, k, v, additive, true, 0.5), Tensor.ScaledDotProductAttention(q, k, v, additive, isCausal: true));
        Same(Composed(q.Reshape(6, 5, 4), k.Reshape(6, 6, 4), v.Reshape(6, 6, 4), additive, false, 0.5), Tensor.ScaledDotProductAttention(q.Reshape(6, 5, 4), k.Reshape(6, 6, 4), v.Reshape(6, 6, 4), additive));
    }

    [Fact]
    public void GradientsAgreeWithFiniteDifferences()
    {
        AssertGradCheck(x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2]), Input(1, 2, 3, 2), Input(2, 2, 4, 2), Input(3, 2, 4, 2));
        AssertGradCheck(x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true), Input(4, 1, 2, 4, 3), Input(5, 1, 2, 4, 3), Input(6, 1, 2, 4, 3));
        AssertGradCheck(x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2], Tensor.Randn([3, 5], new Generator(7))), Input(8, 2, 3, 9), Input(9, 2, 5, 9), Input(10, 2, 5, 9));

        // One tensor as query, key and value: the three gradients add up in it.
        AssertGradCheck(x => Tensor.ScaledDotProductAttention(x[0], x[0], x[0], isCausal: true), Input(11, 2, 4, 3));

        // A float mask that requires grad takes the composed path, which sends it a gradient.
        AssertGradCheck(x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2], x[3]), Input(12, 3, 2), Input(13, 3, 2), Input(14, 3, 2), Input(15, 3, 3));
    }

    [Fact]
    public void DropoutDropsWeightsAndBadShapesAreNamed()
    {
        var q = Tensor.Randn([1, 8, 4], new Generator(1));
        var plain = Tensor.ScaledDotProductAttention(q, q, q).ToArray();
        var dropped = Tensor.ScaledDotProductAttention(q, q, q, dropoutP: 0.5f, generator: new Generator(2)).ToArray();
        Assert.NotEqual(plain, dropped);
        Assert.Equal(dropped, Tensor.ScaledDotProductAttention(q, q, q, dropoutP: 0.5f, generator: new Generator(2)).ToArray());

        var error = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(q, Tensor.Zeros(1, 8, 5), q));
        Assert.Contains("ScaledDotProductAttention", error.Message);
        Assert.Contains("[1,8,5]", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(q, q, q, Tensor.Zeros([8, 8], DType.Int64)));
    }

    private static Tensor Composed(Tensor q, Tensor k, Tensor v, Tensor? bias, bool causal, double scale)
    {
        var scores = q.MatMul(k.Transpose(-2, -1)) * scale;
        scores = bias is null ? scores : scores + bias;
        if (causal)
        {
            scores = scores.MaskedFill(Tensor.Ones([q.Size(-2), k.Size(-2)], DType.Bool).Triu(1), double.NegativeInfinity);
        }

        return scores.Softmax(-1).MatMul(v);
    }

    private static void Same(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.All(expected.ToArray().Zip(actual.ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5, $"{p.First} vs {p.Second}"));
    }
}
