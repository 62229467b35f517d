using Backprop.IO;

namespace Backprop.Tests.IO;

/// <summary>
/// Ops of the API issue against what PyTorch 1.13 computed (Fixtures/pytorch/ops.safetensors, written by
/// make_ops.py beside it): outputs, and the input gradients of sum(out · gout), within 1e-5 relative.
/// </summary>
public class PyTorchOpFixtureTests
{
    private static readonly Backprop.NN.StateDict Fixture =
        Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "ops.safetensors")).Tensors;

    public static TheoryData<string> Cases => new()
    {
        "sin", "cos", "reciprocal", "rsqrt", "silu", "var1", "std0_biased", "logsumexp1", "dot", "vecmatmul", "outer", "tril", "triu",
    };

    private static Tensor Apply(string name, Tensor x, Tensor? y) => name switch
    {
        "sin" => x.Sin(),
        "cos" => x.Cos(),
        "reciprocal" => x.Reciprocal(),
        "rsqrt" => x.Rsqrt(),
        "silu" => x.Silu(),
        "var1" => x.Var(1),
        "std0_biased" => x.Std(0, unbiased: false),
        "logsumexp1" => x.LogSumExp(1),
        "dot" => x.Dot(y!),
        "vecmatmul" => x.MatMul(y!),
        "outer" => x.Outer(y!),
        "tril" => x.Tril(-1),
        "triu" => x.Triu(1),
        _ => throw new ArgumentException(name),
    };

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5 * Math.Max(1, Math.Abs(e[i])), $"{what} element {i}: PyTorch {e[i]}, Backprop {a[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputsAndGradientsMatchPyTorch(string name)
    {
        var x = Fixture[name + ".x"].Clone().SetRequiresGrad();
        var y = Fixture.TryGetValue(name + ".y", out var yv) ? yv.Clone().SetRequiresGrad() : null;
        var output = Apply(name, x, y);
        AssertClose(Fixture[name + ".out"], output, name);
        (output * Fixture[name + ".gout"]).Sum().Backward();
        AssertClose(Fixture[name + ".gx"], x.Grad!, name + " dx");
        if (y is not null)
        {
            AssertClose(Fixture[name + ".gy"], y.Grad!, name + " dy");
        }
    }
}
