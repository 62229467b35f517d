using Backprop.Autograd;

namespace Backprop.Tests.Autograd;

/// <summary>Custom autograd functions, gradient hooks, Autograd.Grad and EnableGrad.</summary>
public class AutogradApiTests
{
    [Fact]
    public void ACustomFunctionPassesGradCheckAndSavesItsTensors()
    {
        var x = Tensor.Uniform([3, 4], -2f, 2f, new Generator(1)).SetRequiresGrad();
        var y = Tensor.Uniform([4], -2f, 2f, new Generator(2)).SetRequiresGrad();
        var result = GradCheck.Run(t => new CubeTimes().Apply(t[0], t[1]), [x, y]);
        Assert.True(result.Passed, result.ToString());
        var output = new CubeTimes().Apply(x, y);
        Assert.Equal("CubeTimes", output.GradFnName);
        Assert.Equal(((x * x * x) * y).ToArray(), output.ToArray());
        using (Tensor.NoGrad())
        {
            Assert.Null(new CubeTimes().Apply(x, y).GradFnName);
        }
    }

    [Fact]
    public void ACustomFunctionsMistakesAreNamed()
    {
        var x = Tensor.Ones(2).SetRequiresGrad();
        var e = Assert.Throws<InvalidOperationException>(() => new WrongShape().Apply(x).Sum().Backward());
        Assert.Contains("WrongShape: Backward's gradient 0 is float32 [3]", e.Message, StringComparison.Ordinal);
        var saved = Tensor.Ones(2).SetRequiresGrad();
        var output = new CubeTimes().Apply(saved, Tensor.Ones(2));
        using (Tensor.NoGrad())
        {
            saved.AddInPlace(Tensor.Ones(2));
        }

        Assert.Throws<InvalidOperationException>(() => output.Sum().Backward());
    }

    [Fact]
    public void HooksSeeAndReplaceGradients()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]).SetRequiresGrad();
        var h = x * 2f;
        float[]? seen = null;
        using (h.RegisterHook(g =>
        {
            seen = g.ToArray();
            return g * 10f;
        }))
        {
            (h * h).Sum().Backward();
        }

        Assert.Equal([4f, 8f, 12f], seen!);
        Assert.Equal([80f, 160f, 240f], x.Grad!.ToArray());

        // A leaf's hook sees this pass's gradient alone; what it returns is added to what Grad held.
        var calls = new List<float[]>();
        var handle = x.RegisterHook(g =>
        {
            calls.Add(g.ToArray());
            return g * 0f;
        });
        (x * 3f).Sum().Backward();
        Assert.Equal([3f, 3f, 3f], calls[0]);
        Assert.Equal([80f, 160f, 240f], x.Grad!.ToArray());
        handle.Dispose();
        (x * 3f).Sum().Backward();
        Assert.Single(calls);
        Assert.Equal([83f, 163f, 243f], x.Grad!.ToArray());
        Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).RegisterHook(g => g));
    }

    [Fact]
    public void GradReturnsGradientsWithoutTouchingGrad()
    {
        var w = Tensor.FromArray([1f, -2f]).SetRequiresGrad();
        var x = Tensor.FromArray([3f, 4f]).SetRequiresGrad();
        var hidden = w * x;
        var loss = (hidden * hidden).Sum();
        var grads = Backprop.Autograd.Autograd.Grad([loss], [w, hidden], retainGraph: true);
        Assert.Equal([18f, -64f], grads[0]!.ToArray());
        Assert.Equal([6f, -16f], grads[1]!.ToArray());
        Assert.Null(w.Grad);
        Assert.Null(x.Grad);

        // Several outputs add up; an unused input is an error unless asked for.
        var both = Backprop.Autograd.Autograd.Grad([loss, w.Sum()], [w], retainGraph: true);
        Assert.Equal([19f, -63f], both[0]!.ToArray());
        var unused = Tensor.Ones(1).SetRequiresGrad();
        Assert.Contains("allowUnused", Assert.Throws<InvalidOperationException>(() => Backprop.Autograd.Autograd.Grad([loss], [unused], retainGraph: true)).Message, StringComparison.Ordinal);
        Assert.Null(Backprop.Autograd.Autograd.Grad([loss], [unused], retainGraph: true, allowUnused: true)[0]);

        // Grad the leaves already held stays as it was.
        loss.Backward(null, retainGraph: true);
        Assert.Equal([18f, -64f], w.Grad!.ToArray());
        _ = Backprop.Autograd.Autograd.Grad([loss], [x]);
        Assert.Equal([18f, -64f], w.Grad!.ToArray());
    }

    [Fact]
    public void EnableGradRecordsInsideNoGrad()
    {
        var x = Tensor.Ones(2).SetRequiresGrad();
        using (Tensor.NoGrad())
        {
            Assert.False(Tensor.IsGradEnabled);
            Assert.False((x * 2f).RequiresGrad);
            using (Tensor.EnableGrad())
            {
                Assert.True(Tensor.IsGradEnabled);
                Assert.True((x * 2f).RequiresGrad);
            }

            Assert.False(Tensor.IsGradEnabled);
        }

        Assert.True(Tensor.IsGradEnabled);
    }

    /// <summary>x³·y with y broadcast along the rows: a function with two inputs and a broadcast gradient.</summary>
    private sealed class CubeTimes : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0], inputs[1]);
            return inputs[0] * inputs[0] * inputs[0] * inputs[1];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            Tensor x = ctx.SavedTensors[0], y = ctx.SavedTensors[1];
            return [ctx.NeedsInputGrad(0) ? gradOutput * x * x * y * 3f : null, ctx.NeedsInputGrad(1) ? gradOutput * x * x * x : null];
        }
    }

    private sealed class WrongShape : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0] * 2f;

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [Tensor.Ones(3)];
    }
}
