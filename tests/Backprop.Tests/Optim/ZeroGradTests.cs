using Backprop.NN;
using Backprop.Optim;

namespace Backprop.Tests.Optim;

/// <summary>
/// ZeroGrad keeps the gradient buffers and lets the next backward write over them instead of clearing them first:
/// every way a gradient is written (a weight's GEMM, a bias's broadcast sum, an embedding's scatter, a sum's deposit of
/// the whole gradient, a hook) and
/// every way one is read must still see zeros plus this step's gradient, never last step's values.
/// </summary>
public class ZeroGradTests
{
    private static readonly Parameter Shift = new(Tensor.Randn([4, 4], new Generator(6)));

    private static (Linear Layer, Embedding Table, Parameter Unused, Adam Optimizer) Model()
    {
        var g = new Generator(5);
        var layer = new Linear(6, 4, generator: g);
        var table = new Embedding(10, 6, generator: g);
        var unused = new Parameter(Tensor.Randn([3], g));
        var optimizer = new Adam([.. layer.Parameters(), .. table.Parameters(), unused, Shift], 1e-2f);
        return (layer, table, unused, optimizer);
    }

    private static Tensor Loss(Linear layer, Embedding table, int step)
    {
        var ids = Tensor.FromArray(new long[] { step % 10, 3, 7, 3 });
        return ((layer.Forward(table.Forward(ids)) + Shift) * (step + 1)).Pow(2f).Mean();
    }

    /// <summary>Copies of the gradients, read from their storage: a Grad tensor, once made, makes ZeroGrad clear at once (its holder sees its values).</summary>
    private static float[][] Gradients(Linear layer, Embedding table) =>
        [(float[])layer.Weight.GradData!.Clone(), (float[])layer.Bias!.GradData!.Clone(), (float[])table.Weight.GradData!.Clone(), (float[])Shift.GradData!.Clone()];

    [Fact]
    public void EachStepsGradientsAreThatStepsAloneAfterZeroGrad()
    {
        var (layer, table, unused, optimizer) = Model();
        for (var step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            Loss(layer, table, step).Backward();
            var kept = Gradients(layer, table);

            // The same step's gradients from nothing: drop them and run backward again on the same weights.
            optimizer.ZeroGrad(setToNone: true);
            Loss(layer, table, step).Backward();
            var fresh = Gradients(layer, table);
            for (var i = 0; i < kept.Length; i++)
            {
                Assert.Equal(fresh[i], kept[i]);
            }

            optimizer.Step();
        }

        // A parameter that backward reached once and not since the last ZeroGrad reads as zeros when the step reads it.
        (unused * 2f).Sum().Backward();
        optimizer.ZeroGrad();
        Loss(layer, table, 3).Backward();
        optimizer.Step();
        Assert.Equal([0f, 0f, 0f], unused.Grad!.ToArray());
    }

    [Fact]
    public void AGradientReadBetweenZeroGradAndBackwardIsZeros()
    {
        var (layer, table, _, optimizer) = Model();
        Loss(layer, table, 0).Backward();
        var held = layer.Weight.Grad!;
        Assert.Contains(held.ToArray(), v => v != 0f);

        optimizer.ZeroGrad();
        Assert.All(held.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(layer.Bias!.Grad!.ToArray(), v => Assert.Equal(0f, v));

        // Accumulating two backward passes after one ZeroGrad adds them.
        optimizer.ZeroGrad();
        Loss(layer, table, 1).Backward();
        var once = table.Weight.Grad!.ToArray();
        Loss(layer, table, 1).Backward();
        var twice = table.Weight.Grad!.ToArray();
        for (var i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], twice[i], 5);
        }
    }

    [Fact]
    public void AHookOnALeafSeesOnlyThisPassAfterZeroGrad()
    {
        var (layer, table, _, optimizer) = Model();
        Loss(layer, table, 0).Backward();
        float[]? seen = null;
        using var hook = layer.Weight.RegisterHook(g =>
        {
            seen = g.ToArray();
            return null;
        });
        optimizer.ZeroGrad();
        Loss(layer, table, 2).Backward();
        Assert.Equal(seen, layer.Weight.Grad!.ToArray());
    }
}
