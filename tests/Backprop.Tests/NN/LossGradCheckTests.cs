using Backprop.Autograd;
using Backprop.NN.Losses;

namespace Backprop.Tests.NN;

public class LossGradCheckTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -2f, 2f, new Generator(seed)).SetRequiresGrad();

    private static readonly Tensor Classes = Tensor.FromArray([2L, 0, 4, 4, 1], 5);

    private static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradCheck.Run(f, inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void MSELoss(Reduction reduction) => Check(x => new MSELoss(reduction).Forward(x[0], x[1]), Input(1, 4, 3), Input(2, 4, 3));

    [Fact]
    public void HalfSquaredError() => Check(x => new HalfSquaredError().Forward(x[0], x[1]), Input(3, 1, 2), Input(4, 1, 2));

    [Theory]
    [InlineData(Reduction.Mean, 0f)]
    [InlineData(Reduction.Sum, 0.1f)]
    [InlineData(Reduction.None, 0f)]
    public void CrossEntropyLoss(Reduction reduction, float smoothing) =>
        Check(x => new CrossEntropyLoss(reduction, smoothing).Forward(x[0], Classes), Input(5, 5, 6));

    [Fact]
    public void NLLLoss() => Check(x => new NLLLoss().Forward(x[0].LogSoftmax(1), Classes), Input(6, 5, 5));

    [Fact]
    public void BCEWithLogitsLoss() =>
        Check(x => new BCEWithLogitsLoss().Forward(x[0], x[1]), Input(7, 3, 4), Tensor.Uniform([3, 4], 0f, 1f, new Generator(8)).SetRequiresGrad());

    [Fact]
    public void HuberLoss()
    {
        // Differences away from ±δ and 0, where the loss is not twice differentiable.
        var x = Tensor.FromArray([0.3f, -0.4f, 2.5f, -3f, 0.7f, 1.6f], 2, 3).SetRequiresGrad();
        var y = Tensor.Zeros(2, 3).SetRequiresGrad();
        Check(v => new HuberLoss(Reduction.Mean, 1f).Forward(v[0], v[1]), x, y);
    }

    [Fact]
    public void LossValuesMatchTheirDefinitions()
    {
        var logits = Tensor.FromArray([1f, 2f, 3f, 1f, 1f, 1f], 2, 3);
        var target = Tensor.FromArray([2L, 0], 2);
        var expected = (-MathF.Log(MathF.Exp(3f) / (MathF.Exp(1f) + MathF.Exp(2f) + MathF.Exp(3f))) - MathF.Log(1f / 3f)) / 2f;
        Assert.Equal(expected, new CrossEntropyLoss().Forward(logits, target).Item(), 5);
        Assert.Equal(2.5f, new MSELoss().Forward(Tensor.FromArray([1f, 3f]), Tensor.FromArray([0f, 1f])).Item(), 6);
        Assert.Equal(2.5f, new HalfSquaredError().Forward(Tensor.FromArray([1f, 3f]), Tensor.FromArray([0f, 1f])).Item(), 6);
        Assert.Equal(0.5f * 0.25f, new HuberLoss().Forward(Tensor.FromArray([0.5f]), Tensor.FromArray([0f])).Item(), 6);
        Assert.Equal(2.5f, new HuberLoss().Forward(Tensor.FromArray([3f]), Tensor.FromArray([0f])).Item(), 6);
        Assert.Equal(MathF.Log(2f), new BCEWithLogitsLoss().Forward(Tensor.FromArray([0f]), Tensor.FromArray([1f])).Item(), 6);
        Assert.True(float.IsFinite(new BCEWithLogitsLoss().Forward(Tensor.FromArray([1000f, -1000f]), Tensor.FromArray([0f, 1f])).Item()));
        Assert.True(float.IsFinite(new CrossEntropyLoss().Forward(Tensor.FromArray([1000f, -1000f], 1, 2), Tensor.FromArray([1L], 1)).Item()));
    }

    [Fact]
    public void BadTargetsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(Tensor.Ones(2, 3), Tensor.FromArray([0L, 3], 2)));
        Assert.Contains("target 3 at position 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(Tensor.Ones(2, 3), Tensor.Ones(3)));
        Assert.Throws<ArgumentException>(() => new MSELoss().Forward(Tensor.Ones(2, 3), Tensor.Ones(3, 2)));
    }
}
