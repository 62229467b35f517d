using Backprop.Autograd;
using Backprop.NN.Losses;

namespace Backprop.Tests.NN;

public class LossGradCheckTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -2f, 2f, new Generator(seed)).SetRequiresGrad();

    private static readonly Tensor Classes = Tensor.FromArray([2L, 0, 4, 4, 1], 5);

    private static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradCheck.Run(f, inputs, dtype: DType.Float32);
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

    [Fact]
    public void CrossEntropyWithWeightsIgnoredTargetsAndSmoothing()
    {
        var weight = Tensor.FromArray([0.5f, 1f, 2f, 1.5f, 0.25f]);
        var targets = Tensor.FromArray([2L, -100, 4, 0, 1], 5);
        Check(x => new CrossEntropyLoss(weight: weight).Forward(x[0], targets), Input(20, 5, 5));
        Check(x => new CrossEntropyLoss(Reduction.Sum, 0.2f, weight, ignoreIndex: 4).Forward(x[0], Classes), Input(21, 5, 5));
        Check(x => new CrossEntropyLoss(Reduction.None).Forward(x[0], Tensor.FromArray([1L, 0, 2, 2, 1, 0], 2, 3)), Input(22, 2, 3, 3));
        Check(x => new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(x[0], Tensor.FromArray([0.2f, 0.8f, 0f, 1f, 0f, 0f], 2, 3)), Input(23, 2, 3));
        Check(x => new NLLLoss(weight: Tensor.FromArray([1f, 2f, 3f])).Forward(x[0].LogSoftmax(1), Tensor.FromArray([2L, 0, -100], 3)), Input(24, 3, 3));
    }

    [Fact]
    public void CrossEntropyReducesAsPyTorchDoes()
    {
        var logits = Tensor.Randn([4, 3], new Generator(25));
        var all = new CrossEntropyLoss(Reduction.None).Forward(logits, Tensor.FromArray([0L, 1, 2, 1]));
        var ignored = new CrossEntropyLoss().Forward(logits, Tensor.FromArray([0L, -100, 2, 1]));
        Assert.Equal((all[0] + all[2] + all[3]) / 3f, ignored.Item(), 5);
        var weighted = new CrossEntropyLoss(weight: Tensor.FromArray([1f, 2f, 4f])).Forward(logits, Tensor.FromArray([0L, 1, 2, 1]));
        Assert.Equal(((1f * all[0]) + (2f * all[1]) + (4f * all[2]) + (2f * all[3])) / 9f, weighted.Item(), 5);
        var pixels = Tensor.Randn([2, 3, 2, 2], new Generator(26));
        Assert.Equal([2, 2, 2], new CrossEntropyLoss(Reduction.None).Forward(pixels, Tensor.Zeros([2, 2, 2], DType.Int64)).Shape);
        Assert.Equal(0f, new CrossEntropyLoss(Reduction.None).Forward(Tensor.FromArray([0f, 0f]), Tensor.Full(1, [], DType.Int64)).Item() - MathF.Log(2f), 5);
        Assert.Contains("[N, d…]", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(pixels, Tensor.Zeros([2, 2], DType.Int64))).Message, StringComparison.Ordinal);
        Assert.Contains("3 class weights for 4", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(weight: Tensor.Ones(3)).Forward(Tensor.Ones(2, 4), Tensor.Zeros([2], DType.Int64))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void L1SmoothL1BceAndKlDiv()
    {
        // Differences away from 0 and ±β, where L1 and smooth L1 are not differentiable.
        var x = Tensor.FromArray([0.3f, -0.9f, 2.5f, -3f, 0.1f, 1.6f], 2, 3).SetRequiresGrad();
        var zeros = Tensor.Zeros(2, 3);
        Check(v => new L1Loss().Forward(v[0], zeros), x);
        Check(v => new SmoothL1Loss(beta: 0.5f).Forward(v[0], zeros), x);
        Check(v => new BCELoss().Forward(v[0].Sigmoid(), v[1]), Input(27, 3, 4), Tensor.Uniform([3, 4], 0f, 1f, new Generator(28)).SetRequiresGrad());
        Check(v => new BCELoss(weight: Tensor.FromArray([1f, 2f, 0.5f, 1f])).Forward(v[0].Sigmoid(), Tensor.Uniform([3, 4], 0f, 1f, new Generator(30))), Input(29, 3, 4));
        var target = Tensor.FromArray([0.2f, 0.8f, 0f, 0.5f, 0.25f, 0.25f], 2, 3);
        Check(v => new KLDivLoss(Reduction.BatchMean).Forward(v[0].LogSoftmax(1), target), Input(31, 2, 3));
        Check(v => new KLDivLoss(Reduction.Sum, logTarget: true).Forward(v[0].LogSoftmax(1), v[1].LogSoftmax(1)), Input(32, 2, 3), Input(33, 2, 3));

        Assert.Equal(1.5f, new L1Loss().Forward(Tensor.FromArray([1f, -2f]), Tensor.FromArray([0f, 0f])).Item());
        Assert.Equal((0.5f * 0.04f / 0.5f) + (3f - 0.25f), new SmoothL1Loss(Reduction.Sum, 0.5f).Forward(Tensor.FromArray([0.2f, 3f]), Tensor.Zeros(2)).Item(), 5);
        Assert.Equal(100f, new BCELoss().Forward(Tensor.FromArray([0f]), Tensor.FromArray([1f])).Item());
        Assert.Contains("outside [0, 1]", Assert.Throws<ArgumentException>(() => new BCELoss().Forward(Tensor.FromArray([1.5f]), Tensor.FromArray([1f]))).Message, StringComparison.Ordinal);
        Assert.Equal(0f, new KLDivLoss(Reduction.Sum).Forward(target.Log().Clamp(-100f, null), target).Item(), 4);
        Assert.Equal(0.25f, new HalfSquaredError(Reduction.Mean).Forward(Tensor.FromArray([1f, 0f]), Tensor.FromArray([0f, 0f])).Item());
        Assert.Equal("CrossEntropyLoss(reduction=Mean)", new CrossEntropyLoss().ToString());
    }
}
