using System.Buffers;
using System.Numerics.Tensors;
using Backprop.Kernels;
using Backprop.Kernels.Elementwise;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices [N], fused: a stable log-softmax per row in
    /// the forward pass, and (softmax − target distribution)·dL/dloss in one pass backward. With label
    /// smoothing ε the target distribution is 1 − ε on the class plus ε/C everywhere.
    /// </summary>
    /// <param name="logits">The scores, [N, C].</param>
    /// <param name="targets">The class indices, [N], int64.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <returns>The loss of every sample, [N].</returns>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, double labelSmoothing = 0)
    {
        ClassIndices("CrossEntropy", logits, targets);
        return CrossEntropyChecked(logits, targets, (float)labelSmoothing);
    }

    /// <summary>
    /// Checks that <paramref name="scores"/> is [N, C] float32 and <paramref name="targets"/> is [N] int64 class
    /// indices in [0, C), the one scan of the targets that every class-index loss makes; afterwards the loss
    /// reads each index as (int)targets[i].
    /// </summary>
    internal static void ClassIndices(string op, Tensor scores, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        if (scores.Rank != 2 || targets.Rank != 1 || targets.Dims[0] != scores.Dims[0])
        {
            throw new ArgumentException($"{op}: input must be [N, C] and target [N] class indices; got input {Shapes.Format(scores.Dims)} and target {Shapes.Format(targets.Dims)}.", nameof(targets));
        }

        RequireFloat32(op, scores);
        RequireInt64(op, targets, "target");
        var c = scores.Dims[1];
        var data = targets.Storage<long>();
        for (var i = 0; i < data.Length; i++)
        {
            var v = data[i];
            if (v < 0 || v >= c)
            {
                throw new ArgumentException($"{op}: target {v} at position {i} is not a class index in [0, {c}).", nameof(targets));
            }
        }
    }

    /// <summary><see cref="CrossEntropy(Tensor, Tensor, double)"/> for targets already checked to be [N] int64 class indices of float32 [N, C] logits (CrossEntropyLoss checks them once).</summary>
    internal static Tensor CrossEntropyChecked(Tensor logits, Tensor targets, float labelSmoothing)
    {
        var classes = targets.Storage<long>();
        int n = logits.Dims[0], c = logits.Dims[1];

        // Keep log-softmax for backward: softmax = exp(logProbs).
        // Their shapes are the logits' [N, C] and the targets' [N]: the arrays are shared, never changed.
        var logProbsTensor = NewOutput(logits.Dims);
        var logProbs = logProbsTensor.Data;
        var result = NewOutput(targets.Dims);
        var losses = result.Data;
        var smooth = labelSmoothing / c;
        var exps = ArrayPool<float>.Shared.Rent(c);
        for (var i = 0; i < n; i++)
        {
            var dst = logProbs.AsSpan(i * c, c);
            LogSoftmaxRow(logits.Data.AsSpan(i * c, c), dst, exps);
            losses[i] = -(((1f - labelSmoothing) * dst[(int)classes[i]]) + (smooth * TensorPrimitives.Sum(dst)));
        }

        ArrayPool<float>.Shared.Return(exps);

        if (NeedsGrad(logits))
        {
            result.Record("CrossEntropy", [logits], (logProbs, classes, labelSmoothing, smooth), static (s, _, x, g) =>
            {
                var grad = x[0].GradAccumulator();
                var c = x[0].Dims[1];
                for (var i = 0; i < g.Length; i++)
                {
                    var gi = g[i];
                    var dst = grad.Slice(i * c, c);
                    Elementwise.Map(s.logProbs.AsSpan(i * c, c), dst, dst, new SoftmaxGradientOperator(gi, s.smooth));
                    dst[(int)s.classes[i]] -= gi * (1f - s.labelSmoothing);
                }
            }, [logits, targets, logProbsTensor], graph: static (s, o, g, x) =>
            {
                // Through tensor ops: (softmax(x) − q)·g per row, q the smoothed one-hot target.
                int n = x[0].Dims[0], c = x[0].Dims[1];
                var q = new float[n * c];
                Array.Fill(q, s.smooth);
                for (var i = 0; i < n; i++)
                {
                    q[(i * c) + (int)s.classes[i]] += 1f - s.labelSmoothing;
                }

                return [(x[0].Softmax(1) - Wrap(q, [n, c])) * g.Unsqueeze(1)];
            });
        }

        return result;
    }
}
