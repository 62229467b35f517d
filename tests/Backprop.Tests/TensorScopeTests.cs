using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Tests;

/// <summary>A TensorScope recycles the storage of the op outputs made in it, and what it released refuses use.</summary>
public class TensorScopeTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -1f, 1f, new Generator(seed));

    [Fact]
    public void OutputsAreReleasedWithTheScopeAndRefuseUse()
    {
        var x = Input(1, 16, 16);
        Tensor y, view;
        using (var scope = Tensor.NewScope())
        {
            y = (x * 2f).Relu();
            view = y.Reshape(256);
            Assert.Equal(2, scope.Count);
            Assert.False(y.IsReleased);
        }

        Assert.True(y.IsReleased);
        Assert.True(view.IsReleased);
        Assert.False(x.IsReleased);
        var e = Assert.Throws<InvalidOperationException>(() => y.Sum());
        Assert.Contains("TensorScope that has been disposed", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => view.ToArray());
        Assert.Contains("released", y.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReleasedStorageIsReusedByTheNextScope()
    {
        var x = Input(2, 32, 32);
        float[] first;
        using (Tensor.NewScope())
        {
            first = (x + 1f).Data;
        }

        using (Tensor.NewScope())
        {
            Assert.Same(first, (x + 1f).Data);
        }
    }

    [Fact]
    public void AScopeThatFreesDozensOfArraysOfOneShapeGetsThemAllBack()
    {
        // A transformer's step frees dozens of activations of one shape at once; all of them come back next step.
        var x = Input(4, 12, 64);
        var first = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        using (Tensor.NewScope())
        {
            for (var i = 0; i < 40; i++)
            {
                first.Add((x + i).Data);
            }
        }

        using (Tensor.NewScope())
        {
            for (var i = 0; i < 40; i++)
            {
                Assert.Contains((x * i).Data, first);
            }
        }
    }

    [Fact]
    public void AnAttachedFilledTensorReusesItsStorageAndStartsFilled()
    {
        float[] first;
        using (var scope = Tensor.NewScope())
        {
            var ones = scope.Attach(Tensor.Ones(40, 40));
            first = ones.Data;
            ones.Data.AsSpan().Fill(7f);
        }

        using (var scope = Tensor.NewScope())
        {
            var zeros = scope.Attach(Tensor.Zeros(40, 40));
            Assert.Same(first, zeros.Data);
            Assert.All(zeros.ToArray(), v => Assert.Equal(0f, v));
        }

        var full = Tensor.Full(2.5f, 40, 40);
        Assert.Same(first, full.Data);
        Assert.All(full.ToArray(), v => Assert.Equal(2.5f, v));
        Assert.NotSame(first, Tensor.Ones(40, 40).Data);
    }

    [Fact]
    public void KeptTensorsAndTheirViewsOutliveTheScope()
    {
        var x = Input(3, 8, 8);
        Tensor kept, view, dropped;
        using (var scope = Tensor.NewScope())
        {
            var y = x * 3f;
            view = y.Reshape(64);
            scope.Keep(view);
            kept = scope.Keep(x - 1f);
            dropped = x + 5f;
        }

        Assert.False(view.IsReleased);
        Assert.False(kept.IsReleased);
        Assert.True(dropped.IsReleased);
        Assert.Equal(x.ToArray().Select(v => v * 3f), view.ToArray());
        Assert.Equal(x.ToArray().Select(v => v - 1f), kept.ToArray());
    }

    [Fact]
    public void NestedScopesReleaseInnerFirstAndKeepMovesOutward()
    {
        var x = Input(4, 10, 10);
        Tensor inner, moved;
        using (var outer = Tensor.NewScope())
        {
            using (var scope = Tensor.NewScope())
            {
                inner = x * 2f;
                moved = scope.Keep(x * 4f);
            }

            Assert.True(inner.IsReleased);
            Assert.False(moved.IsReleased);
            Assert.Equal(1, outer.Count);
        }

        Assert.True(moved.IsReleased);
    }

    [Fact]
    public void BackwardAfterTheScopeIsRefusedBeforeAnyGradientChanges()
    {
        var w = Input(5, 12, 12).SetRequiresGrad();
        Tensor loss;
        using (Tensor.NewScope())
        {
            loss = (w * w).Relu().Sum();
        }

        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("Call Backward() before the scope ends", e.Message, StringComparison.Ordinal);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void LayerNormsStatisticsGoBackWithTheScopeAndBackwardSaysSo()
    {
        // The mean and 1/std that backward reads are scope outputs too: keeping only the normalized output does not keep them.
        var x = Input(6, 96, 16).SetRequiresGrad();
        Tensor y;
        using (var scope = Tensor.NewScope())
        {
            y = scope.Keep(Tensor.LayerNorm(x, [16]));
            Assert.Equal(2, scope.Count);
        }

        Assert.False(y.IsReleased);
        var e = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("LayerNorm", e.Message, StringComparison.Ordinal);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void AGradientSetFromADisposedScopeIsRefusedByBackward()
    {
        var w = Input(7, 8).SetRequiresGrad();
        using (Tensor.NewScope())
        {
            w.Grad = w.Detach() * 2f;
        }

        var e = Assert.Throws<InvalidOperationException>(() => (w * w).Sum().Backward());
        Assert.Contains("Grad set on the tensor", e.Message, StringComparison.Ordinal);
        w.Grad = null;
        (w * w).Sum().Backward();
        Assert.Equal(w.ToArray().Select(v => 2f * v), w.Grad!.ToArray());
    }

    [Fact]
    public void ScopesMustCloseInOrderAndAttachRefusesViewsAndParameters()
    {
        var outer = Tensor.NewScope();
        var inner = Tensor.NewScope();
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        var x = Input(6, 4, 16);
        Assert.Throws<ArgumentException>(() => outer.Attach(x.Reshape(64)));
        Assert.Throws<ArgumentException>(() => outer.Attach(new Parameter(Tensor.Zeros(3))));
        outer.Attach(x);
        outer.Dispose();
        Assert.True(x.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => outer.Keep(x));
    }

    /// <summary>Training with a scope per step gives the same losses and weights, bit for bit, as without one.</summary>
    [Fact]
    public void TrainingInScopesMatchesTrainingWithoutThemBitForBit()
    {
        static (float[] Losses, float[] Weights) Train(bool scoped)
        {
            var g = new Generator(9);
            var model = new Sequential(new Linear(20, 64, generator: g), new ReLU(), new Linear(64, 5, generator: g));
            var optimizer = new SGD(model.Parameters(), 0.1f, momentum: 0.9f);
            var loss = new CrossEntropyLoss();
            var x = Tensor.Uniform([96, 20], -1f, 1f, g);
            var y = Tensor.FromArray(Enumerable.Range(0, 96).Select(i => (long)(i % 5)).ToArray(), 96);
            var data = new Backprop.Data.TensorDataset(x, y);
            var losses = new List<float>();
            for (var epoch = 0; epoch < 3; epoch++)
            {
                foreach (var batch in new Backprop.Data.DataLoader(data, 32, shuffle: true, generator: g))
                {
                    using var scope = scoped ? Tensor.NewScope() : null;
                    scope?.Attach(batch.Input);
                    var l = loss.Forward(model.Forward(batch.Input), batch.Target);
                    optimizer.ZeroGrad();
                    l.Backward();
                    optimizer.Step();
                    losses.Add(l.Item());
                }
            }

            return ([.. losses], [.. model.Parameters().SelectMany(p => p.ToArray())]);
        }

        var plain = Train(scoped: false);
        var scoped = Train(scoped: true);
        Assert.Equal(plain.Losses, scoped.Losses);
        Assert.Equal(plain.Weights, scoped.Weights);
        Assert.True(plain.Losses[^1] < plain.Losses[0]);
    }
}
