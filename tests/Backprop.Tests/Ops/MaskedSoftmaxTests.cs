using Backprop.Autograd;
using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.Ops;

public class MaskedSoftmaxTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -3f, 3f, new Generator(seed)).SetRequiresGrad();

    /// <summary>A mask with about a third of the elements blocked, never a whole row along <paramref name="dim"/>.</summary>
    private static Tensor Mask(int[] shape, int dim, ulong seed)
    {
        var values = Tensor.Uniform(shape, 0f, 1f, new Generator(seed));
        return values.Lt(0.35).LogicalAnd(values.Lt(values.Max(dim, keepDim: true)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void MatchesMaskedFillThenSoftmaxAndItsGradients(int dim)
    {
        var x = Input(1, 3, 4, 5);
        var mask = Mask([3, 4, 5], dim, 2);
        var gout = Tensor.Uniform([3, 4, 5], -1f, 1f, new Generator(3));
        var fused = x.MaskedSoftmax(mask, dim);
        (fused * gout).Sum().Backward();
        var fusedGrad = x.Grad!.ToArray();
        x.ZeroGrad();
        var reference = x.MaskedFill(mask, double.NegativeInfinity).Softmax(dim);
        (reference * gout).Sum().Backward();
        Assert.Equal(reference.ToArray(), fused.ToArray(), new Tolerance(1e-6f));
        Assert.Equal(x.Grad!.ToArray(), fusedGrad, new Tolerance(1e-6f));
        Assert.All(fused.MaskedSelect(mask).ToArray(), p => Assert.Equal(0f, p));
    }

    [Fact]
    public void ABroadcastMaskAndAFullyMaskedRow()
    {
        // A [4] mask broadcasts over the rows; a row with every element blocked is zeros with a zero gradient, not NaN.
        var x = Input(4, 2, 4);
        var blockAll = Tensor.FromArray([true, true, true, true]);
        var p = x.MaskedSoftmax(blockAll, 1);
        Assert.All(p.ToArray(), v => Assert.Equal(0f, v));
        p.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
        var some = x.MaskedSoftmax(Tensor.FromArray([false, true, false, false]), 1);
        Assert.Equal([1f, 1f], some.Sum(1).ToArray(), new Tolerance(1e-6f));
        Assert.Contains("broadcast", Assert.Throws<ArgumentException>(() => x.MaskedSoftmax(Tensor.FromArray([true, false]), 1)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void GradientsAgreeWithFiniteDifferencesAtFirstAndSecondOrder(int dim)
    {
        var mask = Mask([3, 4], dim, 5);
        AssertGradCheck(x => x[0].MaskedSoftmax(mask, dim), Input(6, 3, 4));
        var second = GradCheck.RunGradGrad(x => x[0].MaskedSoftmax(mask, dim), [Input(7, 3, 4)], eps: 1e-2, atol: 2e-3, rtol: 2e-2, dtype: DType.Float32);
        Assert.True(second.Passed, second.ToString());
    }

    private sealed class Tolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => MathF.Abs(a - b) <= tolerance * MathF.Max(1f, MathF.Abs(b));

        public int GetHashCode(float value) => 0;
    }
}
