using Backprop.NN;

namespace Backprop.Tests.Autograd;

/// <summary>Tensor.RegisterPostAccumulateGradHook: called once per backward pass, as soon as a leaf's gradient is complete.</summary>
public sealed class PostAccumulateGradHookTests
{
    [Fact]
    public void TheLastLayersHookRunsBeforeTheFirstLayersGradientExists()
    {
        var g = new Generator(3);
        var first = new Linear(5, 7, generator: g);
        var last = new Linear(7, 2, generator: g);
        var seen = new List<string>();
        using var a = last.Weight.RegisterPostAccumulateGradHook(p =>
        {
            seen.Add("last");
            Assert.NotNull(p.Grad);
            Assert.Null(first.Weight.Grad);
        });
        using var b = first.Weight.RegisterPostAccumulateGradHook(p =>
        {
            seen.Add("first");
            Assert.NotNull(p.Grad);
        });
        var loss = last.Forward(first.Forward(Tensor.Randn([4, 5], g)).Relu()).Sum();
        loss.Backward();
        Assert.Equal(["last", "first"], seen);
    }

    [Fact]
    public void ALeafUsedTwiceIsReportedOnceWithBothContributions()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3);
        x.RequiresGrad = true;
        float[]? atHook = null;
        var calls = 0;
        using var hook = x.RegisterPostAccumulateGradHook(t =>
        {
            calls++;
            atHook = t.Grad!.ToArray();
        });
        ((x * x).Sum() + (x * 3f).Sum()).Backward();
        Assert.Equal(1, calls);
        Assert.Equal([5f, 7f, 9f], atHook!);
    }

    [Fact]
    public void ItSeesTheGradientAfterAGradientHookReplacedIt()
    {
        var x = Tensor.FromArray([1f, -2f], 2);
        x.RequiresGrad = true;
        using var doubling = x.RegisterHook(grad => grad * 2f);
        float[]? atHook = null;
        using var post = x.RegisterPostAccumulateGradHook(t => atHook = t.Grad!.ToArray());
        (x * 3f).Sum().Backward();
        Assert.Equal([6f, 6f], atHook!);
        Assert.Equal([6f, 6f], x.Grad!.ToArray());
    }

    [Fact]
    public void DisposingTheHandleRemovesTheHook()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        var calls = 0;
        var handle = x.RegisterPostAccumulateGradHook(_ => calls++);
        (x * 2f).Sum().Backward();
        handle.Dispose();
        (x * 2f).Sum().Backward();
        Assert.Equal(1, calls);
    }

    [Fact]
    public void OnlyLeavesThatRequireGradTakeOne()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        Assert.Throws<InvalidOperationException>(() => x.RegisterPostAccumulateGradHook(_ => { }));
        x.RequiresGrad = true;
        var y = x * 2f;
        var error = Assert.Throws<InvalidOperationException>(() => y.RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("not a leaf", error.Message, StringComparison.Ordinal);
    }
}
