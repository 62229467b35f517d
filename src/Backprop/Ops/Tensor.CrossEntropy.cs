using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices [N], fused: a stable log-softmax per row in
    /// the forward pass, and (softmax − target distribution)·dL/dloss in one pass backward. With label
    /// smoothing ε the target distribution is 1 − ε on the class plus ε/C everywhere.
    /// </summary>
    /// <param name="logits">The scores, [N, C].</param>
    /// <param name="targets">The class indices, [N], stored as floats.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <returns>The loss of every sample, [N].</returns>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, float labelSmoothing = 0f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank != 2 || targets.Rank != 1 || targets.Dims[0] != logits.Dims[0])
        {
            throw new ArgumentException($"CrossEntropy: logits must be [N, C] and targets [N]; got {Shapes.Format(logits.Dims)} and {Shapes.Format(targets.Dims)}.", nameof(targets));
        }

        int n = logits.Dims[0], c = logits.Dims[1];
        var classes = new int[n];
        for (var i = 0; i < n; i++)
        {
            var v = targets.Data[i];
            if (v != MathF.Floor(v) || v < 0 || v >= c)
            {
                throw new ArgumentException($"CrossEntropy: target {v} at position {i} is not a class index in [0, {c}).", nameof(targets));
            }

            classes[i] = (int)v;
        }

        // Keep log-softmax for backward: softmax = exp(logProbs).
        var logProbs = new float[n * c];
        var losses = new float[n];
        var smooth = labelSmoothing / c;
        for (var i = 0; i < n; i++)
        {
            var row = logits.Data.AsSpan(i * c, c);
            var dst = logProbs.AsSpan(i * c, c);
            TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), dst);
            var sumExp = 0f;
            foreach (var v in dst)
            {
                sumExp += MathF.Exp(v);
            }

            TensorPrimitives.Subtract(dst, MathF.Log(sumExp), dst);
            losses[i] = -(((1f - labelSmoothing) * dst[classes[i]]) + (smooth * TensorPrimitives.Sum(dst)));
        }

        var result = new Tensor(losses, [n]);
        if (NeedsGrad(logits))
        {
            result.Record("CrossEntropy", [logits], g =>
            {
                var grad = logits.GradAccumulator(out _);
                for (var i = 0; i < n; i++)
                {
                    var gi = g.Data[i];
                    var src = logProbs.AsSpan(i * c, c);
                    var dst = grad.Slice(i * c, c);
                    for (var j = 0; j < c; j++)
                    {
                        var target = (j == classes[i] ? 1f - labelSmoothing : 0f) + smooth;
                        dst[j] += gi * (MathF.Exp(src[j]) - target);
                    }
                }
            }, logits);
        }

        return result;
    }
}
