using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Kernels.Attention;

/// <summary>
/// Scaled dot-product attention, fused: for each (batch, head) pair, the scores of one query row against
/// every key it may see, their softmax and the weighted sum of the values, row by row, with the keys and
/// values transposed once per pair into a scratch that stays in L1. The probabilities are kept
/// ([pairs, Tq, Tk]) for backward and for anyone who wants to look at them; without gradients and without
/// a look, each thread holds only one row of scores at a time. Pairs are shared across
/// threads. The loops are written on <see cref="Vector{T}"/>, so they run at whatever width the machine
/// offers (256-bit on x64, 128-bit on Arm64), and in plain scalar code without SIMD.
/// </summary>
internal sealed class AttentionKernel
{
    private readonly float[] _q;
    private readonly float[] _k;
    private readonly float[] _v;
    private readonly float[]? _bias;

    /// <summary>
    /// Sets up attention over arrays laid out as <paramref name="shape"/> says, keeping the probabilities in
    /// <paramref name="probabilities"/> ([pairs, Tq, Tk] at least), or, when it is null, nowhere (forward only).
    /// </summary>
    public AttentionKernel(AttentionShape shape, float[] q, float[] k, float[] v, float[]? bias, float[]? probabilities)
    {
        Shape = shape;
        _q = q;
        _k = k;
        _v = v;
        _bias = bias;
        Probabilities = probabilities;
    }

    /// <summary>The sizes, layouts, scale and mask.</summary>
    public AttentionShape Shape { get; }

    /// <summary>softmax(scale·q·kᵀ + bias) per pair, [pairs, Tq, Tk], zero where a key is masked; filled by <see cref="Forward"/>; null when not kept.</summary>
    public float[]? Probabilities { get; }

    /// <summary>Writes the attention output into <paramref name="output"/>, laid out as the shape's output layout.</summary>
    public void Forward(float[] output) =>
        WorkSplitter.For(Shape.Pairs, 1, (this, output), static (s, begin, count) => s.Item1.ForwardPairs(s.output, begin, count));

    /// <summary>
    /// Adds the gradients of q, k and v (into arrays laid out like them; null where none is wanted) for the
    /// output gradient <paramref name="gradOutput"/>, laid out as the output.
    /// </summary>
    public void Backward(float[] gradOutput, float[]? gradQ, float[]? gradK, float[]? gradV) =>
        WorkSplitter.For(Shape.Pairs, 1, (this, gradOutput, gradQ, gradK, gradV), static (s, begin, count) =>
            s.Item1.BackwardPairs(s.gradOutput, s.gradQ, s.gradK, s.gradV, begin, count));

    private void ForwardPairs(float[] output, int begin, int count)
    {
        var sh = Shape;
        int tq = sh.QuerySteps, tk = sh.KeySteps, dim = sh.HeadDim;
        var transposed = ArrayPool<float>.Shared.Rent(dim * tk);
        var row = Probabilities is null ? ArrayPool<float>.Shared.Rent(tk) : null;
        for (var pair = begin; pair < begin + count; pair++)
        {
            int b = pair / sh.Heads, h = pair % sh.Heads;
            Transpose(_k, sh.Keys, b, h, tk, dim, transposed);
            for (var i = 0; i < tq; i++)
            {
                var limit = sh.KeyLimit(i);
                var (scores, at) = row is null ? (Probabilities!, ((pair * tq) + i) * tk) : (row, 0);
                var p = scores.AsSpan(at, tk);
                Scores(_q, sh.Queries.Row(b, h, i), transposed, tk, dim, limit, sh.Scale, p);
                if (_bias is not null)
                {
                    var bias = _bias.AsSpan((b * sh.BiasBatchStride) + (h * sh.BiasHeadStride) + (i * tk), limit);
                    TensorPrimitives.Add(p[..limit], bias, p[..limit]);
                }

                SoftmaxRow(p, limit);
                WeightedRows(scores, at, 1, 0, limit, _v, sh.Values.Row(b, h, 0), sh.Values.RowStride, output, sh.Output.Row(b, h, i), dim, accumulate: false);
            }
        }

        if (row is not null)
        {
            ArrayPool<float>.Shared.Return(row);
        }

        ArrayPool<float>.Shared.Return(transposed);
    }

    private void BackwardPairs(float[] gradOutput, float[]? gradQ, float[]? gradK, float[]? gradV, int begin, int count)
    {
        var probabilities = Probabilities ?? throw new InvalidOperationException("AttentionKernel: backward needs the probabilities, which this forward did not keep.");
        var sh = Shape;
        int tq = sh.QuerySteps, tk = sh.KeySteps, dim = sh.HeadDim;
        var transposed = ArrayPool<float>.Shared.Rent(dim * tk);
        var ds = ArrayPool<float>.Shared.Rent(tq * tk);
        for (var pair = begin; pair < begin + count; pair++)
        {
            int b = pair / sh.Heads, h = pair % sh.Heads;
            var probs = pair * tq * tk;
            Transpose(_v, sh.Values, b, h, tk, dim, transposed);
            for (var i = 0; i < tq; i++)
            {
                var limit = sh.KeyLimit(i);
                var p = probabilities.AsSpan(probs + (i * tk), limit);
                var row = ds.AsSpan(i * tk, tk);
                row[limit..].Clear();
                var d = row[..limit];

                // dP = dO·Vᵀ, then the softmax backward: dS = P ⊙ (dP − Σ P ⊙ dP), times the scale.
                Scores(gradOutput, sh.Output.Row(b, h, i), transposed, tk, dim, limit, 1f, d);
                TensorPrimitives.Subtract(d, TensorPrimitives.Dot(p, d), d);
                TensorPrimitives.Multiply(d, p, d);
                TensorPrimitives.Multiply(d, sh.Scale, d);
                if (gradQ is not null)
                {
                    WeightedRows(ds, i * tk, 1, 0, limit, _k, sh.Keys.Row(b, h, 0), sh.Keys.RowStride, gradQ, sh.Queries.Row(b, h, i), dim, accumulate: true);
                }
            }

            for (var j = 0; j < tk; j++)
            {
                var first = sh.FirstQuery(j);
                if (first >= tq)
                {
                    continue;
                }

                if (gradK is not null)
                {
                    WeightedRows(ds, (first * tk) + j, tk, first, tq - first, _q, sh.Queries.Row(b, h, 0), sh.Queries.RowStride, gradK, sh.Keys.Row(b, h, j), dim, accumulate: true);
                }

                if (gradV is not null)
                {
                    WeightedRows(probabilities, probs + (first * tk) + j, tk, first, tq - first, gradOutput, sh.Output.Row(b, h, 0), sh.Output.RowStride, gradV, sh.Values.Row(b, h, j), dim, accumulate: true);
                }
            }
        }

        ArrayPool<float>.Shared.Return(ds);
        ArrayPool<float>.Shared.Return(transposed);
    }

    /// <summary>Copies the [T, D] rows of one pair into a [D, T] block.</summary>
    private static void Transpose(float[] source, HeadLayout layout, int b, int h, int steps, int dim, float[] destination)
    {
        for (var t = 0; t < steps; t++)
        {
            var row = source.AsSpan(layout.Row(b, h, t), dim);
            for (var d = 0; d < dim; d++)
            {
                destination[(d * steps) + t] = row[d];
            }
        }
    }

    /// <summary>
    /// s[j] = scale · Σ_d x[xAt + d] · columns[d·steps + j] for j below <paramref name="limit"/>: one query row
    /// against the transposed keys, four vectors of j at a time so that the multiply-adds do not wait on each other.
    /// </summary>
    private static void Scores(float[] x, int xAt, float[] columns, int steps, int dim, int limit, float scale, Span<float> s)
    {
        ref var c = ref MemoryMarshal.GetArrayDataReference(columns);
        ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref var dst = ref MemoryMarshal.GetReference(s);
        var width = Vector<float>.Count;
        var scaleV = new Vector<float>(scale);
        var j = 0;
        for (; j + (4 * width) <= limit; j += 4 * width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var d = 0; d < dim; d++)
            {
                var xd = new Vector<float>(Unsafe.Add(ref xr, xAt + d));
                var at = (nuint)((d * steps) + j);
                a0 = Vector.FusedMultiplyAdd(xd, Vector.LoadUnsafe(ref c, at), a0);
                a1 = Vector.FusedMultiplyAdd(xd, Vector.LoadUnsafe(ref c, at + (nuint)width), a1);
                a2 = Vector.FusedMultiplyAdd(xd, Vector.LoadUnsafe(ref c, at + (nuint)(2 * width)), a2);
                a3 = Vector.FusedMultiplyAdd(xd, Vector.LoadUnsafe(ref c, at + (nuint)(3 * width)), a3);
            }

            (a0 * scaleV).StoreUnsafe(ref dst, (nuint)j);
            (a1 * scaleV).StoreUnsafe(ref dst, (nuint)(j + width));
            (a2 * scaleV).StoreUnsafe(ref dst, (nuint)(j + (2 * width)));
            (a3 * scaleV).StoreUnsafe(ref dst, (nuint)(j + (3 * width)));
        }

        for (; j + width <= limit; j += width)
        {
            var acc = Vector<float>.Zero;
            for (var d = 0; d < dim; d++)
            {
                acc = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref xr, xAt + d)), Vector.LoadUnsafe(ref c, (nuint)((d * steps) + j)), acc);
            }

            (acc * scaleV).StoreUnsafe(ref dst, (nuint)j);
        }

        for (; j < limit; j++)
        {
            var acc = 0f;
            for (var d = 0; d < dim; d++)
            {
                acc = MathF.FusedMultiplyAdd(x[xAt + d], columns[(d * steps) + j], acc);
            }

            s[j] = acc * scale;
        }
    }

    /// <summary>
    /// destination[dAt..dAt+dim) (+)= Σ_n weights[wAt + n·wStride] · rows[rAt + (first + n)·rStride ..] for
    /// n below <paramref name="count"/>: a weighted sum of rows, kept in registers (four vectors of columns at
    /// a time, independent of each other), written once.
    /// </summary>
    private static void WeightedRows(float[] weights, int wAt, int wStride, int first, int count, float[] rows, int rAt, int rStride, float[] destination, int dAt, int dim, bool accumulate)
    {
        ref var w = ref MemoryMarshal.GetArrayDataReference(weights);
        ref var r = ref MemoryMarshal.GetArrayDataReference(rows);
        ref var dst = ref MemoryMarshal.GetArrayDataReference(destination);
        var width = Vector<float>.Count;
        var start = rAt + (first * rStride);
        var c = 0;
        for (; c + (4 * width) <= dim; c += 4 * width)
        {
            var at = (nuint)(dAt + c);
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            if (accumulate)
            {
                (a0, a1, a2, a3) = (Vector.LoadUnsafe(ref dst, at), Vector.LoadUnsafe(ref dst, at + (nuint)width), Vector.LoadUnsafe(ref dst, at + (nuint)(2 * width)), Vector.LoadUnsafe(ref dst, at + (nuint)(3 * width)));
            }

            for (var n = 0; n < count; n++)
            {
                var wn = new Vector<float>(Unsafe.Add(ref w, wAt + (n * wStride)));
                var row = (nuint)(start + (n * rStride) + c);
                a0 = Vector.FusedMultiplyAdd(wn, Vector.LoadUnsafe(ref r, row), a0);
                a1 = Vector.FusedMultiplyAdd(wn, Vector.LoadUnsafe(ref r, row + (nuint)width), a1);
                a2 = Vector.FusedMultiplyAdd(wn, Vector.LoadUnsafe(ref r, row + (nuint)(2 * width)), a2);
                a3 = Vector.FusedMultiplyAdd(wn, Vector.LoadUnsafe(ref r, row + (nuint)(3 * width)), a3);
            }

            a0.StoreUnsafe(ref dst, at);
            a1.StoreUnsafe(ref dst, at + (nuint)width);
            a2.StoreUnsafe(ref dst, at + (nuint)(2 * width));
            a3.StoreUnsafe(ref dst, at + (nuint)(3 * width));
        }

        for (; c + width <= dim; c += width)
        {
            var acc = accumulate ? Vector.LoadUnsafe(ref dst, (nuint)(dAt + c)) : Vector<float>.Zero;
            for (var n = 0; n < count; n++)
            {
                acc = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref w, wAt + (n * wStride))), Vector.LoadUnsafe(ref r, (nuint)(start + (n * rStride) + c)), acc);
            }

            acc.StoreUnsafe(ref dst, (nuint)(dAt + c));
        }

        for (; c < dim; c++)
        {
            var acc = accumulate ? destination[dAt + c] : 0f;
            for (var n = 0; n < count; n++)
            {
                acc = MathF.FusedMultiplyAdd(weights[wAt + (n * wStride)], rows[start + (n * rStride) + c], acc);
            }

            destination[dAt + c] = acc;
        }
    }

    /// <summary>Softmax of the first <paramref name="limit"/> scores in place, zeros after them; a row with nothing to attend to (all −∞, or no key) becomes all zeros.</summary>
    private static void SoftmaxRow(Span<float> row, int limit)
    {
        row[limit..].Clear();
        var s = row[..limit];
        var max = limit == 0 ? float.NegativeInfinity : TensorPrimitives.Max(s);
        if (float.IsNegativeInfinity(max))
        {
            s.Clear();
            return;
        }

        TensorPrimitives.Subtract(s, max, s);
        TensorPrimitives.Exp(s, s);
        TensorPrimitives.Multiply(s, 1f / TensorPrimitives.Sum(s), s);
    }
}
