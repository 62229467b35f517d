using Backprop.NN;
using Backprop.Optim;

namespace Backprop.Tests.Optim;

/// <summary>Each update rule against a hand computation of three steps on p = [1, −2], with loss Σ p²·c (gradient 2·c·p).</summary>
public class OptimizerTests
{
    private static readonly double[] Start = [1.0, -2.0];
    private static readonly double[] Curvature = [0.5, 1.5];

    private static Parameter NewParameter() => new(Tensor.FromArray([(float)Start[0], (float)Start[1]]));

    private static float[] Run(Func<Parameter, Optimizer> make, int steps = 3)
    {
        var p = NewParameter();
        var optimizer = make(p);
        var c = Tensor.FromArray([(float)Curvature[0], (float)Curvature[1]]);
        for (var s = 0; s < steps; s++)
        {
            optimizer.ZeroGrad();
            (p * p * c).Sum().Backward();
            optimizer.Step();
        }

        return p.ToArray();
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    private static double Grad(double p, int i) => 2 * Curvature[i] * p;

    [Fact]
    public void PlainSgd()
    {
        var expected = Start.Select((p, i) =>
        {
            for (var s = 0; s < 3; s++)
            {
                p -= 0.1 * Grad(p, i);
            }

            return p;
        }).ToArray();
        AssertClose(expected, Run(p => new SGD([p], 0.1f)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdWithMomentumAndWeightDecay(bool nesterov)
    {
        var expected = Start.Select((p, i) =>
        {
            double buf = 0;
            for (var s = 0; s < 3; s++)
            {
                var g = Grad(p, i) + (0.01 * p);
                buf = s == 0 ? g : (0.9 * buf) + g;
                p -= 0.1 * (nesterov ? g + (0.9 * buf) : buf);
            }

            return p;
        }).ToArray();
        AssertClose(expected, Run(p => new SGD([p], 0.1f, momentum: 0.9f, weightDecay: 0.01f, nesterov: nesterov)));
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.1f, false)]
    [InlineData(0.1f, true)]
    public void AdamAndAdamW(float weightDecay, bool decoupled)
    {
        const double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var expected = Start.Select((p, i) =>
        {
            double m = 0, v = 0;
            for (var t = 1; t <= 3; t++)
            {
                var g = Grad(p, i);
                if (decoupled)
                {
                    p *= 1 - (lr * weightDecay);
                }
                else
                {
                    g += weightDecay * p;
                }

                m = (b1 * m) + ((1 - b1) * g);
                v = (b2 * v) + ((1 - b2) * g * g);
                var mHat = m / (1 - Math.Pow(b1, t));
                var vHat = v / (1 - Math.Pow(b2, t));
                p -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }

            return p;
        }).ToArray();
        AssertClose(expected, Run(p => decoupled ? new AdamW([p], (float)lr, weightDecay: weightDecay) : new Adam([p], (float)lr, weightDecay: weightDecay)));
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.5f, false)]
    [InlineData(0f, true)]
    public void RmsProp(float momentum, bool centered)
    {
        const double lr = 0.01, alpha = 0.99, eps = 1e-8;
        var expected = Start.Select((p, i) =>
        {
            double v = 0, buf = 0, gAvg = 0;
            for (var t = 1; t <= 3; t++)
            {
                var g = Grad(p, i);
                v = (alpha * v) + ((1 - alpha) * g * g);
                gAvg = (alpha * gAvg) + ((1 - alpha) * g);
                var avg = Math.Sqrt(centered ? v - (gAvg * gAvg) : v) + eps;
                if (momentum > 0)
                {
                    buf = (momentum * buf) + (g / avg);
                    p -= lr * buf;
                }
                else
                {
                    p -= lr * g / avg;
                }
            }

            return p;
        }).ToArray();
        AssertClose(expected, Run(p => new RMSprop([p], (float)lr, momentum: momentum, centered: centered)));
    }

    [Fact]
    public void StateDictLetsTrainingResumeExactly()
    {
        var straight = Run(p => new Adam([p], 0.05f), steps: 4);

        var p = NewParameter();
        var first = new Adam([p], 0.05f);
        var c = Tensor.FromArray([(float)Curvature[0], (float)Curvature[1]]);
        for (var s = 0; s < 2; s++)
        {
            first.ZeroGrad();
            (p * p * c).Sum().Backward();
            first.Step();
        }

        var state = first.StateDict();
        Assert.Contains("state.0.exp_avg", state.Keys);
        var second = new Adam([p], 0.05f);
        second.LoadStateDict(state);
        Assert.Equal(2, second.StepCount);
        for (var s = 0; s < 2; s++)
        {
            second.ZeroGrad();
            (p * p * c).Sum().Backward();
            second.Step();
        }

        Assert.Equal(straight, p.ToArray());
    }

    [Fact]
    public void ClipGradNormScalesAllGradientsTogether()
    {
        var a = new Parameter(Tensor.Zeros(2)) { Grad = Tensor.FromArray([3f, 0f]) };
        var b = new Parameter(Tensor.Zeros(1)) { Grad = Tensor.FromArray([4f]) };
        var norm = GradClip.ClipGradNorm([a, b], 1f);
        Assert.Equal(5f, norm, 5);
        Assert.Equal(0.6f, a.Grad.ToArray()[0], 4);
        Assert.Equal(0.8f, b.Grad.ToArray()[0], 4);
        Assert.Equal(1f, GradClip.ClipGradNorm([a, b], 10f), 4);
        Assert.Equal(0.6f, a.Grad.ToArray()[0], 4);
    }

    [Fact]
    public void BadSettingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new SGD([NewParameter()], 0.1f, momentum: 0f, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Adam([NewParameter()], 0.1f, beta1: 1.5f));
        Assert.Throws<ArgumentException>(() => new SGD(Array.Empty<Parameter>(), 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD([NewParameter()], float.NaN));
        var float64 = Assert.Throws<ArgumentException>(() => new SGD([new Parameter(Tensor.Zeros([3], DType.Float64))], 0.1f));
        Assert.Contains("float64", float64.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterGroupsHaveTheirOwnOptionsAndAStateDictInPyTorchsLayout()
    {
        var body = new Parameter(Tensor.Ones(3));
        var head = new Parameter(Tensor.Ones(2));
        var optimizer = new SGD([new ParamGroup([body]), new ParamGroup([head]) { ["lr"] = 0.5f, ["momentum"] = 0f }], 0.1f, momentum: 0.9f);
        Assert.Equal(0.9f, optimizer.ParamGroups[0]["momentum"]);
        Assert.Equal(0f, optimizer.ParamGroups[1]["momentum"]);
        (body.Sum() + head.Sum()).Backward();
        optimizer.Step();
        Assert.All(body.ToArray(), v => Assert.Equal(0.9f, v, 6));
        Assert.All(head.ToArray(), v => Assert.Equal(0.5f, v, 6));

        var state = optimizer.StateDict();
        Assert.Equal(["step", "param_groups.0.lr", "param_groups.0.momentum", "param_groups.0.dampening", "param_groups.0.weight_decay", "param_groups.0.nesterov", "param_groups.0.params",
            "param_groups.1.lr", "param_groups.1.momentum", "param_groups.1.dampening", "param_groups.1.weight_decay", "param_groups.1.nesterov", "param_groups.1.params", "state.0.momentum_buffer"], state.Keys);
        Assert.Equal([1L], state["param_groups.1.params"].ToArray<long>());
        Assert.Equal(1L, state["step"].Item<long>());

        var copy = new SGD([new ParamGroup([new Parameter(Tensor.Ones(3))]), new ParamGroup([new Parameter(Tensor.Ones(2))]) { ["momentum"] = 0f }], 0.1f, momentum: 0.9f);
        copy.LoadStateDict(state);
        Assert.Equal(0.5f, copy.ParamGroups[1].LearningRate);
        Assert.Equal(1, copy.StepCount);
        optimizer.LearningRate = 0.01f;
        Assert.All(optimizer.ParamGroups, g => Assert.Equal(0.01f, g.LearningRate));
    }

    [Fact]
    public void AStateDictFromBeforeParameterGroupsStillLoads()
    {
        var p = new Parameter(Tensor.Ones(2));
        var optimizer = new SGD([p], 0.1f, momentum: 0.9f);
        optimizer.LoadStateDict(new StateDict { ["step"] = Tensor.Scalar(3f), ["lr"] = Tensor.Scalar(0.02f), ["state.0.momentum_buffer"] = Tensor.FromArray([1f, 2f]) });
        Assert.Equal(0.02f, optimizer.LearningRate);
        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal([1f, 2f], optimizer.StateDict()["state.0.momentum_buffer"].ToArray());
    }

    [Fact]
    public void BadParameterGroupsAreRefused()
    {
        var p = NewParameter();
        Assert.Contains("'betas' is not one of", Assert.Throws<ArgumentException>(() => new SGD([new ParamGroup([p]) { ["betas"] = 0.9f }], 0.1f)).Message, StringComparison.Ordinal);
        Assert.Contains("more than one group", Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([p]), new ParamGroup([p])])).Message, StringComparison.Ordinal);
        var group = new ParamGroup([NewParameter()]);
        _ = new SGD([group], 0.1f);
        Assert.Throws<KeyNotFoundException>(() => group["beta1"]);
        Assert.Throws<ArgumentException>(() => new SGD([group], 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => group.LearningRate = -1f);
    }

    [Fact]
    public void ClipGradValueLimitsEveryElement()
    {
        var p = new Parameter(Tensor.Zeros(3));
        (p * Tensor.FromArray([5f, -0.5f, -7f])).Sum().Backward();
        GradClip.ClipGradValue([p], 1f);
        Assert.Equal([1f, -0.5f, -1f], p.Grad!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradValue([p], 0f));
    }

    [Fact]
    public void ReduceLROnPlateauWatchesARisingMetricToo()
    {
        var optimizer = new SGD([NewParameter()], 1f);
        var plateau = new Backprop.Optim.Schedulers.ReduceLROnPlateau(optimizer, Backprop.Optim.Schedulers.PlateauMode.Max, factor: 0.5f, patience: 1);
        foreach (var accuracy in new[] { 0.5f, 0.6f, 0.6f, 0.6f, 0.7f, 0.7f })
        {
            plateau.Step(accuracy);
        }

        Assert.Equal(0.5f, optimizer.LearningRate);
        Assert.Equal(0.7f, plateau.Best);
    }
}
