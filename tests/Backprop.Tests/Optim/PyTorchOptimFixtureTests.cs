using Backprop.IO;
using Backprop.NN;
using Backprop.Optim;
using Backprop.Optim.Schedulers;

namespace Backprop.Tests.Optim;

/// <summary>
/// Optimizers with two parameter groups and every scheduler, against what torch.optim computed
/// (Fixtures/pytorch/optim.safetensors, written by make_optim.py beside it): six steps of each trajectory
/// within 1e-5, and each learning-rate sequence within 1e-6.
/// </summary>
public class PyTorchOptimFixtureTests
{
    private static readonly StateDict Fixture =
        Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "optim.safetensors")).Tensors;

    private static readonly Tensor C0 = Tensor.FromArray([0.5f, 1f, 2f]);
    private static readonly Tensor C1 = Tensor.FromArray([1.5f, 0.25f, 0.75f, 3f], 2, 2);

    public static TheoryData<string> Trajectories => new()
    {
        "sgd_nesterov", "sgd_dampening", "rmsprop", "rmsprop_momentum", "rmsprop_centered", "adam_l2", "adamw", "adagrad",
    };

    public static TheoryData<string> Schedules => new()
    {
        "step", "multistep", "exponential", "cosine", "linear", "onecycle", "lambda", "sequential", "plateau",
    };

    private static Optimizer Make(string name, Parameter p0, Parameter p1)
    {
        var g0 = new ParamGroup([p0]);
        var g1 = new ParamGroup([p1]);
        switch (name)
        {
            case "sgd_nesterov":
                g1["lr"] = 0.05f;
                g1["momentum"] = 0.5f;
                return new SGD([g0, g1], 0.1f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true);
            case "sgd_dampening":
                g1["weight_decay"] = 0.1f;
                return new SGD([g0, g1], 0.1f, momentum: 0.9f, dampening: 0.3f);
            case "rmsprop":
                g1["alpha"] = 0.9f;
                return new RMSprop([g0, g1], 0.01f);
            case "rmsprop_momentum":
                g1["lr"] = 0.02f;
                return new RMSprop([g0, g1], 0.01f, momentum: 0.8f, weightDecay: 0.05f);
            case "rmsprop_centered":
                g1["eps"] = 1e-3f;
                return new RMSprop([g0, g1], 0.01f, centered: true, momentum: 0.5f);
            case "adam_l2":
                g1["beta1"] = 0.8f;
                g1["beta2"] = 0.99f;
                return new Adam([g0, g1], 0.05f, weightDecay: 0.1f);
            case "adamw":
                g1["weight_decay"] = 0f;
                g1["lr"] = 0.1f;
                return new AdamW([g0, g1], 0.05f, weightDecay: 0.1f);
            default:
                g1["weight_decay"] = 0.2f;
                return new Adagrad([g0, g1], 0.1f, learningRateDecay: 0.01f, initialAccumulatorValue: 0.1f);
        }
    }

    [Theory]
    [MemberData(nameof(Trajectories))]
    public void TrajectoriesWithTwoGroupsMatchPyTorch(string name)
    {
        var p0 = new Parameter(Tensor.FromArray([1f, -2f, 0.5f]));
        var p1 = new Parameter(Tensor.FromArray([0.3f, -0.7f, 1.2f, -1.5f], 2, 2));
        var optimizer = Make(name, p0, p1);
        var expected0 = Fixture[name + ".p0"].ToArray();
        var expected1 = Fixture[name + ".p1"].ToArray();
        for (var step = 0; step < 6; step++)
        {
            optimizer.ZeroGrad();
            var loss = (C0 * p0 * p0).Sum() + p0.Sum() + (C1 * p1 * p1).Sum() + p1.Sum();
            loss.Backward();
            optimizer.Step();
            AssertClose(expected0.AsSpan(step * 3, 3), p0.ToArray(), $"{name} step {step + 1} p0", 1e-5);
            AssertClose(expected1.AsSpan(step * 4, 4), p1.ToArray(), $"{name} step {step + 1} p1", 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void LearningRatesOfEveryGroupMatchPyTorch(string name)
    {
        var optimizer = new SGD([new ParamGroup([new Parameter(Tensor.Zeros(1))]), new ParamGroup([new Parameter(Tensor.Zeros(1))]) { ["lr"] = 0.05f }], 0.1f);
        var expected = Fixture[name + ".lr"].ToArray();
        var steps = expected.Length / 2;
        float[] metrics = [1f, 0.9f, 0.95f, 0.92f, 0.91f, 0.85f, 0.86f, 0.87f, 0.88f, 0.89f, 0.9f, 0.8f];
        var plateau = name == "plateau" ? new ReduceLROnPlateau(optimizer, factor: 0.5f, patience: 2, cooldown: 1) : null;
        var schedule = name switch
        {
            "step" => new StepLR(optimizer, 3, 0.5f),
            "multistep" => new MultiStepLR(optimizer, [2, 5, 5, 9], 0.5f),
            "exponential" => new ExponentialLR(optimizer, 0.9f),
            "cosine" => new CosineAnnealingLR(optimizer, 5, 0.01f),
            "linear" => new LinearLR(optimizer, 0.25f, 1f, 4),
            "onecycle" => new OneCycleLR(optimizer, 0.2f, 13),
            "lambda" => new LambdaLR(optimizer, epoch => MathF.Pow(0.95f, epoch)),
            "sequential" => new SequentialLR(optimizer, [new LinearLR(optimizer, 0.1f, 1f, 3), new CosineAnnealingLR(optimizer, 6)], [3]),
            _ => (LRScheduler?)null,
        };
        for (var k = 0; k < steps; k++)
        {
            if (plateau is not null)
            {
                plateau.Step(metrics[k]);
            }
            else
            {
                schedule!.Step();
            }

            AssertClose(expected.AsSpan(k * 2, 2), [optimizer.ParamGroups[0].LearningRate, optimizer.ParamGroups[1].LearningRate], $"{name} step {k + 1}", 1e-6);
        }
    }

    private static void AssertClose(ReadOnlySpan<float> expected, float[] actual, string what, double tolerance)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what} element {i}: PyTorch {expected[i]}, Backprop {actual[i]}");
        }
    }
}
