using System.Numerics.Tensors;
using Backprop.Kernels;
using Backprop.Kernels.Elementwise;

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
        RequireFloat32("BinaryCrossEntropyWithLogits", logits, targets);
        if (!logits.Dims.AsSpan().SequenceEqual(targets.Dims))
        {
            throw new ArgumentException($"BinaryCrossEntropyWithLogits: logits {Shapes.Format(logits.Dims)} and targets {Shapes.Format(targets.Dims)} differ in shape.", nameof(targets));
        }

        var n = logits.Numel;
        var result = NewOutput(logits.Dims);
        Elementwise.Map(logits.Data, targets.Data, result.Data, default(BceWithLogitsOperator));

        if (NeedsGrad(logits, targets))
        {
            Tensor[] operands = [logits, targets];
            result.Record("BinaryCrossEntropyWithLogits", operands, g =>
            {
                if (logits.RequiresGrad)
                {
                    var d = RentGradArray(n);
                    Elementwise.Map(logits.Data, targets.Data, d, default(SigmoidMinusOperator));
                    TensorPrimitives.Multiply(d, g, d);

                    logits.DepositGrad(d, logits.Dims, owned: true);
                }

                if (targets.RequiresGrad)
                {
                    var d = RentGradArray(n);
                    TensorPrimitives.Multiply(g, logits.Data, d);
                    TensorPrimitives.Negate(d, d);

                    targets.DepositGrad(d, targets.Dims, owned: true);
                }
            }, operands);
        }

        return result;
    }
}
