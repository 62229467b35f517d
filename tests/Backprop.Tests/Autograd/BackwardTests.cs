namespace Backprop.Tests.Autograd;

public class BackwardTests
{
    [Fact]
    public void GradientsAccumulateWhenATensorIsUsedTwice()
    {
        var x = Tensor.FromArray([3f], 1).SetRequiresGrad();
        var y = (x * x) + (x * 2f);
        y.Sum().Backward();
        Assert.Equal(8f, x.Grad!.Item());
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroed()
    {
        var x = Tensor.FromArray([1f, 2f], 2).SetRequiresGrad();
        (x * 3f).Sum().Backward();
        (x * 3f).Sum().Backward();
        Assert.Equal([6f, 6f], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void CloneStaysInTheGraphAndDetachCloneLeavesIt()
    {
        foreach (var x in new[] { Tensor.FromArray([1f, -2f, 3f]).SetRequiresGrad(), Tensor.FromArray([1.0, -2.0, 3.0]).SetRequiresGrad() })
        {
            var copy = x.Clone();
            Assert.Equal("Clone", copy.GradFnName);
            (copy * copy).Sum().Backward();
            Assert.Equal([2.0, -4.0, 6.0], x.Grad!.Double().ToArray<double>());
            Assert.True(x.Detach().Clone().IsLeaf);
            Assert.False(x.Detach().Clone().RequiresGrad);
        }

        // And at second order: d²/dx² of Σ clone(x)³ is 6x.
        var y = Tensor.FromArray([0.5, 2.0]).SetRequiresGrad();
        var dy = Backprop.Autograd.Autograd.Grad([y.Clone().Pow(3f).Sum()], [y], createGraph: true)[0]!;
        Assert.Equal([3.0, 12.0], Backprop.Autograd.Autograd.Grad([dy.Sum()], [y])[0]!.ToArray<double>());
    }

    [Fact]
    public void BackwardWithExplicitGradient()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3).SetRequiresGrad();
        var y = x * x;
        y.Backward(Tensor.FromArray([1f, 0.5f, -1f], 3));
        Assert.Equal([2f, 2f, -6f], x.Grad!.ToArray());
    }

    [Fact]
    public void ChainOfHundredThousandOpsDoesNotOverflowTheStack()
    {
        var x = Tensor.FromArray([1f], 1).SetRequiresGrad();
        var y = x;
        for (var i = 0; i < 100_000; i++)
        {
            y = y * 1.0000001f;
        }

        y.Sum().Backward();
        Assert.InRange(x.Grad!.Item(), 1.0f, 1.02f);
    }

    [Fact]
    public void BackwardOnATensorThatNeedsNoGradThrows()
    {
        var x = Tensor.Ones(2, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
        Assert.Contains("does not require grad", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BackwardWithoutGradientNeedsOneElement()
    {
        var x = Tensor.Ones(2, 2).SetRequiresGrad();
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("[2,2]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondBackwardThroughFreedGraphThrows()
    {
        var x = Tensor.Ones(3).SetRequiresGrad();
        var loss = (x.Exp() * 2f).Sum();
        loss.Backward();
        var ex = Assert.Throws<InvalidOperationException>(loss.Backward);
        Assert.Contains("freed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Tensor.Ones(3).SetRequiresGrad();
        var loss = (x.Exp() * 2f).Sum();
        loss.Backward(null, retainGraph: true);
        loss.Backward();
        Assert.Equal(4f * MathF.E, x.Grad!.ToArray()[0], 4);
    }

    [Fact]
    public void InPlaceChangeOfASavedValueIsReported()
    {
        var w = Tensor.FromArray([1f, 2f], 2).SetRequiresGrad();
        var x = Tensor.FromArray([3f, 4f], 2);
        var loss = (w * x).Sum();
        x[0] = 10f;
        var ex = Assert.Throws<InvalidOperationException>(loss.Backward);
        Assert.Contains("modified in place", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InPlaceChangeOfALeafRequiringGradNeedsNoGrad()
    {
        var w = Tensor.Ones(2).SetRequiresGrad();
        Assert.Throws<InvalidOperationException>(() => w[0] = 3f);
        using (Tensor.NoGrad())
        {
            w[0] = 3f;
        }

        Assert.Equal(3f, w[0]);
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Tensor.Ones(2).SetRequiresGrad();
        Tensor y;
        using (Tensor.NoGrad())
        {
            y = x * 2f;
            Assert.False(Tensor.IsGradEnabled);
        }

        Assert.True(Tensor.IsGradEnabled);
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
    }

    [Fact]
    public void DetachCutsTheGraphButSharesValues()
    {
        var x = Tensor.FromArray([2f], 1).SetRequiresGrad();
        var y = x * 3f;
        var d = y.Detach();
        Assert.False(d.RequiresGrad);
        Assert.Equal(6f, d.Item());
        var z = (d * x).Sum();
        z.Backward();
        Assert.Equal(6f, x.Grad!.Item());
    }

    [Fact]
    public void IntermediateGradsAreReleasedUnlessRetained()
    {
        var x = Tensor.FromArray([1f, -2f], 2).SetRequiresGrad();
        var h = (x * 2f).RetainGrad();
        var other = x * 3f;
        (h.Relu() + other).Sum().Backward();
        Assert.Equal([1f, 0f], h.Grad!.ToArray());
        Assert.Null(other.Grad);
        Assert.Equal([5f, 3f], x.Grad!.ToArray());
    }

    [Fact]
    public void AnElementwiseBackwardWritesOverItsOutputsGradientOnlyWhenNothingKeepsIt()
    {
        // Relu, Exp and a reshape may take the gradient they receive for their input's; a retained one stays as it was.
        var x = Tensor.FromArray([1f, -2f, 0.5f, 3f], 4).SetRequiresGrad();
        var r = x.Relu();
        var kept = r.Exp().RetainGrad();
        var flat = kept.Reshape(2, 2);
        (flat * Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2)).Sum().Backward();
        Assert.Equal([1f, 2f, 3f, 4f], kept.Grad!.ToArray());
        Assert.Null(r.Grad);
        var xs = new[] { 1f, -2f, 0.5f, 3f };
        var expected = xs.Select((v, i) => v > 0 ? (i + 1) * MathF.Exp(v) : 0f).ToArray();
        Assert.All(expected.Zip(x.Grad!.ToArray()), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void ASumHandsItsGradientOnOnceAndASelfSumGetsItTwice()
    {
        var x = Tensor.FromArray([0.5f, -1f], 2).SetRequiresGrad();
        var y = x.Exp();
        var residual = (y + y) + (x - y);
        residual.Sum().Backward();
        var expected = new[] { 0.5f, -1f }.Select(v => (2 * MathF.Exp(v)) + 1 - MathF.Exp(v)).ToArray();
        Assert.All(expected.Zip(x.Grad!.ToArray()), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void GraphIsRecordedWithOpNames()
    {
        var a = Tensor.Ones(2, 2).SetRequiresGrad();
        var y = a.MatMul(a).Relu();
        Assert.Equal("Relu", y.GradFnName);
        Assert.Equal("MatMul", y.GradFnInputs[0].GradFnName);
        Assert.Null(a.GradFnName);
    }
}
