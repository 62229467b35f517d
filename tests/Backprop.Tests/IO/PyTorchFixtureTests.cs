using Backprop.IO;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Tests.IO;

/// <summary>Backprop against what PyTorch 1.13 computed for Sequential(Linear(4,8), Tanh, Linear(8,6), Tanh, Linear(6,3)).</summary>
public class PyTorchFixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name);

    private static Sequential Model(string weights = "mlp3.safetensors")
    {
        var model = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 6), new Tanh(), new Linear(6, 3));
        model.LoadStateDict(Safetensors.Load(Fixture(weights)).Tensors);
        return model;
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"element {i}: PyTorch {e[i]}, Backprop {a[i]}");
        }
    }

    [Fact]
    public void LogitsLossAndEveryGradientMatchPyTorch()
    {
        var io = Safetensors.Load(Fixture("mlp3.io.safetensors")).Tensors;
        var model = Model();
        var input = io["input"].Clone().SetRequiresGrad();
        var output = model.Forward(input);
        AssertClose(io["output"], output, 1e-5);
        var loss = new CrossEntropyLoss().Forward(output, io["target"].Long());
        Assert.Equal(io["loss"].ToArray()[0], loss.Item(), 5);
        loss.Backward();
        var grads = model.NamedParameters().ToDictionary(p => p.Name + ".grad", p => p.Parameter.Grad!);
        grads["input.grad"] = input.Grad!;
        foreach (var (key, grad) in grads)
        {
            var expected = io[key];
            var scale = expected.Abs().Max().Item();
            AssertClose(expected, grad, 1e-4 * scale);
        }
    }

    [Theory]
    [InlineData("mlp3.f16.safetensors", "F16", 1e-2)]
    [InlineData("mlp3.bf16.safetensors", "BF16", 3e-2)]
    public void HalfPrecisionWeightsLoadAsFloat32(string file, string dtype, double tolerance)
    {
        var loaded = Safetensors.Load(Fixture(file));
        Assert.All(loaded.Dtypes.Values, d => Assert.Equal(dtype, d));
        Assert.Equal("4,8,6,3", loaded.Metadata["layers"]);
        var full = Safetensors.Load(Fixture("mlp3.safetensors")).Tensors;
        foreach (var (key, value) in loaded.Tensors)
        {
            AssertClose(full[key], value, tolerance);
        }
    }

    [Theory]
    [InlineData("sgd_momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void ThreeOptimizerStepsMatchPyTorch(string name)
    {
        var io = Safetensors.Load(Fixture("mlp3.io.safetensors")).Tensors;
        var steps = Safetensors.Load(Fixture("mlp3.steps.safetensors")).Tensors;
        var model = Model();
        Optimizer optimizer = name switch
        {
            "sgd_momentum" => new SGD(model.Parameters(), 0.1f, momentum: 0.9f, weightDecay: 1e-4f),
            "adam" => new Adam(model.Parameters(), 0.01f),
            _ => new AdamW(model.Parameters(), 0.01f, weightDecay: 0.1f),
        };
        var loss = new CrossEntropyLoss();
        for (var s = 0; s < 3; s++)
        {
            optimizer.ZeroGrad();
            loss.Forward(model.Forward(io["input"]), io["target"].Long()).Backward();
            optimizer.Step();
        }

        foreach (var (key, value) in model.NamedParameters())
        {
            AssertClose(steps[$"{name}.{key}"], value, 1e-5);
        }
    }
}
