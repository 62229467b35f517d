using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Elementwise binary cross-entropy of logits x against targets t in [0, 1], computed stably as
    /// max(x, 0) − x·t + log(1 + e^−|x|); its gradient is σ(x) − t for x and −x for t.
    /// </summary>
    /// <param name="logits">The logits.</param>
    /// <param name="targets">The targets, shaped like the logits.</param>
    /// <returns>The loss of every element (no reduction).</returns>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!logits.Dims.AsSpan().SequenceEqual(targets.Dims))
        {
            throw new ArgumentException($"BinaryCrossEntropyWithLogits: logits {Shapes.Format(logits.Dims)} and targets {Shapes.Format(targets.Dims)} differ in shape.", nameof(targets));
        }

        var n = logits.Numel;
        var result = new Tensor(new float[n], logits.Dims);
        for (var i = 0; i < n; i++)
        {
            var x = logits.Data[i];
            result.Data[i] = MathF.Max(x, 0f) - (x * targets.Data[i]) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
        }

        if (NeedsGrad(logits, targets))
        {
            result.Record("BinaryCrossEntropyWithLogits", [logits, targets], g =>
            {
                if (logits.RequiresGrad)
                {
                    var d = BufferPool.Rent(n);
                    for (var i = 0; i < n; i++)
                    {
                        d[i] = g.Data[i] * ((1f / (1f + MathF.Exp(-logits.Data[i]))) - targets.Data[i]);
                    }

                    logits.AccumulateGradOwned(d);
                }

                if (targets.RequiresGrad)
                {
                    var d = BufferPool.Rent(n);
                    for (var i = 0; i < n; i++)
                    {
                        d[i] = -g.Data[i] * logits.Data[i];
                    }

                    targets.AccumulateGradOwned(d);
                }
            }, logits, targets);
        }

        return result;
    }
}
