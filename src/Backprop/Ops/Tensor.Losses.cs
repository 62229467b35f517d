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
        var float64 = IsFloat64("BinaryCrossEntropyWithLogits", logits, targets);
        if (!logits.Dims.AsSpan().SequenceEqual(targets.Dims))
        {
            throw new ArgumentException($"BinaryCrossEntropyWithLogits: logits {Shapes.Format(logits.Dims)} and targets {Shapes.Format(targets.Dims)} differ in shape.", nameof(targets));
        }

        if (float64)
        {
            return BceWithLogitsComposed(logits, targets);
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
            }, operands, graph: Recomputed(static x => BceWithLogitsComposed(x[0], x[1])));
        }

        return result;
    }

    /// <summary>
    /// Elementwise binary cross-entropy of probabilities p in [0, 1] against targets t:
    /// −(t·log p + (1 − t)·log(1 − p)), each log clamped at −100 (PyTorch's BCELoss); the gradient for p is
    /// (p − t) / max(p(1 − p), 1e−12), and for t it is log(1 − p) − log p.
    /// </summary>
    /// <param name="probabilities">p, each in [0, 1].</param>
    /// <param name="targets">t, shaped like p.</param>
    /// <returns>The loss of every element (no reduction).</returns>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(targets);
        var float64 = IsFloat64("BinaryCrossEntropy", probabilities, targets);
        if (!probabilities.Dims.AsSpan().SequenceEqual(targets.Dims))
        {
            throw new ArgumentException($"BinaryCrossEntropy: probabilities {Shapes.Format(probabilities.Dims)} and targets {Shapes.Format(targets.Dims)} differ in shape.", nameof(targets));
        }

        for (var i = 0; i < probabilities.Numel; i++)
        {
            var value = float64 ? probabilities.Storage<double>()[i] : probabilities.Data[i];
            if (!(value >= 0 && value <= 1))
            {
                var shown = float64 ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : ((float)value).ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new ArgumentException($"BinaryCrossEntropy: probability {shown} at position {i} is outside [0, 1]; for logits use BinaryCrossEntropyWithLogits.", nameof(probabilities));
            }
        }

        if (float64)
        {
            return BceComposed(probabilities, targets);
        }

        var p = probabilities.Data;
        var t = targets.Data;

        var result = NewOutput(probabilities.Dims);
        var losses = result.Data;
        for (var i = 0; i < p.Length; i++)
        {
            losses[i] = -((t[i] * ClampedLog(p[i])) + ((1f - t[i]) * ClampedLog(1f - p[i])));
        }

        if (NeedsGrad(probabilities, targets))
        {
            Tensor[] operands = [probabilities, targets];
            result.Record("BinaryCrossEntropy", operands, g =>
            {
                if (probabilities.RequiresGrad)
                {
                    var d = RentGradArray(p.Length);
                    for (var i = 0; i < d.Length; i++)
                    {
                        d[i] = g[i] * (p[i] - t[i]) / MathF.Max(p[i] * (1f - p[i]), 1e-12f);
                    }

                    probabilities.DepositGrad(d, probabilities.Dims, owned: true);
                }

                if (targets.RequiresGrad)
                {
                    var d = RentGradArray(p.Length);
                    for (var i = 0; i < d.Length; i++)
                    {
                        d[i] = g[i] * (ClampedLog(1f - p[i]) - ClampedLog(p[i]));
                    }

                    targets.DepositGrad(d, targets.Dims, owned: true);
                }
            }, operands, graph: Recomputed(static x => BceComposed(x[0], x[1])));
        }

        return result;
    }

    private static float ClampedLog(float x) => MathF.Max(MathF.Log(x), -100f);

    /// <summary><see cref="BinaryCrossEntropyWithLogits"/> as tensor ops, max(x, 0) − x·t + log(1 + e^−|x|): the float64 path and the fused kernel's backward through tensor ops.</summary>
    private static Tensor BceWithLogitsComposed(Tensor x, Tensor t) => x.Relu() - (x * t) + (-x.Abs()).Exp().Log1p();

    /// <summary><see cref="BinaryCrossEntropy"/> as tensor ops, −(t·log p + (1 − t)·log(1 − p)) with each log clamped at −100.</summary>
    private static Tensor BceComposed(Tensor p, Tensor t) => -((t * p.Log().Clamp(-100.0, null)) + ((1.0 - t) * (1.0 - p).Log().Clamp(-100.0, null)));
}
