using Backprop.IO;

namespace Backprop.Tests.Autograd;

/// <summary>
/// Higher-order gradients (createGraph) against what PyTorch computed in float64 (Fixtures/pytorch/higher_order.safetensors,
/// written by make_higher_order.py beside it): a gradient penalty and two Hessian-vector products, within 1e-10.
/// </summary>
public class HigherOrderGradientTests
{
    private static readonly Backprop.NN.StateDict Fixture =
        Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "higher_order.safetensors")).Tensors;

    private static Tensor Get(string name) => Fixture[name];

    private static Tensor Leaf(string name) => Get(name).Clone().SetRequiresGrad();

    private static void AssertClose(Tensor expected, Tensor? actual) => Float64Assert.Close(expected, actual, 1e-10, "element");

    [Fact]
    public void GradientPenaltyMatchesPyTorch()
    {
        var x = Leaf("penalty.x");
        var names = new[] { "w1", "b1", "w2", "b2" };
        var p = names.ToDictionary(n => n, n => Leaf("penalty." + n));
        var output = Tensor.Linear(Tensor.Linear(x, p["w1"], p["b1"]).Tanh(), p["w2"], p["b2"]);
        var g = Backprop.Autograd.Autograd.Grad([output.Sum()], [x], createGraph: true)[0]!;
        Assert.True(g.RequiresGrad);
        var penalty = (g.Pow(2f).Sum(1).Sqrt() - 1.0).Pow(2f).Mean();
        AssertClose(Get("penalty.value").Reshape(), penalty);
        penalty.Backward();
        foreach (var n in names)
        {
            // b2 does not reach the gradient of x: it gets no gradient, PyTorch's None (stored as zeros).
            AssertClose(Get("penalty.grad." + n), p[n].Grad ?? Tensor.ZerosLike(p[n]));
        }

        Assert.Null(p["b2"].Grad);
    }

    [Fact]
    public void HessianVectorProductOfACrossEntropyMatchesPyTorch()
    {
        var (x, t) = (Get("hvp.x"), Get("hvp.t"));
        var (w1, w2) = (Leaf("hvp.w1"), Leaf("hvp.w2"));
        var loss = -(x.MatMul(w1.T).Tanh().MatMul(w2.T).LogSoftmax(1) * t).Sum(1).Mean();
        AssertClose(Get("hvp.loss").Reshape(), loss);
        var g = Backprop.Autograd.Autograd.Grad([loss], [w1, w2], createGraph: true);
        AssertClose(Get("hvp.g.w1"), g[0]);
        AssertClose(Get("hvp.g.w2"), g[1]);
        var hv = Backprop.Autograd.Autograd.Grad([(g[0]! * Get("hvp.v.w1")).Sum() + (g[1]! * Get("hvp.v.w2")).Sum()], [w1, w2]);
        AssertClose(Get("hvp.hv.w1"), hv[0]);
        AssertClose(Get("hvp.hv.w2"), hv[1]);
    }

    [Fact]
    public void HessianVectorProductOfASmoothLossMatchesPyTorch()
    {
        var x = Get("smooth.x");
        var w = Leaf("smooth.w");
        var loss = (x * w).Exp().Sum().Log() + (w / (1.0 + (w * w))).Sum() + ((w * w) + 1.0).Sqrt().Sum() + (w.Sigmoid() * w.Pow(3f)).Sum();
        AssertClose(Get("smooth.loss").Reshape(), loss);

        // Backward(createGraph) leaves a Grad with a graph of its own; differentiating it gives the product.
        loss.Backward(null, retainGraph: false, createGraph: true);
        var g = w.Grad!;
        AssertClose(Get("smooth.g"), g);
        Assert.True(g.RequiresGrad);
        var hv = Backprop.Autograd.Autograd.Grad([(g * Get("smooth.v")).Sum()], [w]);
        AssertClose(Get("smooth.hv"), hv[0]);
    }

    [Fact]
    public void Float32SecondDerivativesMatchTheFloat64Ones()
    {
        // The same smooth loss in float32: createGraph works on the fast dtype too, to float32 precision.
        var x = Get("smooth.x").Float();
        var w = Get("smooth.w").Float().SetRequiresGrad();
        var loss = (x * w).Exp().Sum().Log() + (w / (1.0 + (w * w))).Sum() + ((w * w) + 1.0).Sqrt().Sum() + (w.Sigmoid() * w.Pow(3f)).Sum();
        var g = Backprop.Autograd.Autograd.Grad([loss], [w], createGraph: true)[0]!;
        var hv = Backprop.Autograd.Autograd.Grad([(g * Get("smooth.v").Float()).Sum()], [w])[0]!;
        Assert.Equal(DType.Float32, hv.DType);
        var expected = Get("smooth.hv").ToArray<double>();
        var actual = hv.ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
