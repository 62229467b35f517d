using System.Buffers;
using System.Numerics.Tensors;
using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>Softmax along a dimension, computed stably (the maximum is subtracted first).</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>Probabilities that sum to 1 along <paramref name="dim"/>.</returns>
    public Tensor Softmax(int dim) => SoftmaxCore("Softmax", dim, log: false);

    /// <summary>Log-softmax along a dimension: x − max − log Σ exp(x − max), finite even for logits of ±1000.</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>Log-probabilities along <paramref name="dim"/>.</returns>
    public Tensor LogSoftmax(int dim) => SoftmaxCore("LogSoftmax", dim, log: true);

    /// <summary>
    /// Softmax along a dimension over the elements where <paramref name="mask"/> is false, in one stable pass:
    /// where the mask is true (as for <see cref="MaskedFill"/>, an attention mask's blocked positions) the
    /// probability is 0, and a row whose every element is masked is all zeros, not NaN. The same as
    /// MaskedFill(mask, −∞).Softmax(dim) elsewhere, without the infinities; float32 (one fused kernel) or float64.
    /// </summary>
    /// <param name="mask">A bool tensor that broadcasts to this tensor's shape.</param>
    /// <param name="dim">The dimension.</param>
    /// <returns>Probabilities that sum to 1 (or 0 for a masked row) along <paramref name="dim"/>.</returns>
    public Tensor MaskedSoftmax(Tensor mask, int dim)
    {
        ArgumentNullException.ThrowIfNull(mask);
        mask.RequireBool("MaskedSoftmax");
        if (!Shapes.Broadcast("MaskedSoftmax", mask.Dims, Dims).AsSpan().SequenceEqual(Dims))
        {
            throw new ArgumentException($"MaskedSoftmax: the mask {Shapes.Format(mask.Dims)} must broadcast to the tensor's shape {Shapes.Format(Dims)}.", nameof(mask));
        }

        return SoftmaxCore("MaskedSoftmax", dim, log: false, mask);
    }

    private Tensor SoftmaxCore(string op, int dim, bool log, Tensor? mask = null)
    {
        var d = Shapes.NormalizeDim(op, dim, Rank);
        if (_dtype == DType.Float64)
        {
            return mask is null ? SoftmaxFloat64(op, d, log) : MaskedSoftmaxComposed(mask, d);
        }

        RequireFloat32(op, this);
        var (outer, size, inner) = Shapes.Split(Dims, d);
        var moved = inner == 1 ? Data : MoveToLast(Data, outer, size, inner);
        bool[]? blocked = null;
        if (mask is not null)
        {
            using (NoGrad())
            {
                var full = mask.Expand(Dims).Reshape(outer, size, inner);
                blocked = (inner == 1 ? full : full.Permute(0, 2, 1)).ToArray<bool>();
            }
        }

        var output = inner == 1 ? NewOutput(Dims) : null;
        var y = output?.Data ?? GC.AllocateUninitializedArray<float>(Numel);
        var rows = outer * inner;
        var scratch = log ? ArrayPool<float>.Shared.Rent(size) : null;
        for (var r = 0; r < rows; r++)
        {
            var x = moved.AsSpan(r * size, size);
            var dst = y.AsSpan(r * size, size);
            if (scratch is not null)
            {
                LogSoftmaxRow(x, dst, scratch);
            }
            else if (blocked is not null)
            {
                MaskedSoftmaxRow(x, blocked.AsSpan(r * size, size), dst);
            }
            else
            {
                TensorPrimitives.Subtract(x, TensorPrimitives.Max(x), dst);
                TensorPrimitives.Exp(dst, dst);
                TensorPrimitives.Divide(dst, TensorPrimitives.Sum(dst), dst);
            }
        }

        if (scratch is not null)
        {
            ArrayPool<float>.Shared.Return(scratch);
        }

        var result = output ?? new Tensor(MoveBack(y, outer, size, inner), Dims);
        if (NeedsGrad(this))
        {
            var input = this;
            result.Record(op, [input], g =>
            {
                var gm = inner == 1 ? g : MoveToLast(g, outer, size, inner);
                var dx = RentGradArray(gm.Length);
                for (var r = 0; r < rows; r++)
                {
                    var gr = gm.AsSpan(r * size, size);
                    var yr = y.AsSpan(r * size, size);
                    var dr = dx.AsSpan(r * size, size);
                    if (log)
                    {
                        // dx = g − softmax·Σg, with softmax = exp(y)
                        TensorPrimitives.Exp(yr, dr);
                        TensorPrimitives.Multiply(dr, -TensorPrimitives.Sum(gr), dr);
                        TensorPrimitives.Add(dr, gr, dr);
                    }
                    else
                    {
                        // dx = y ⊙ (g − Σ g⊙y)
                        TensorPrimitives.Subtract(gr, TensorPrimitives.Dot(gr, yr), dr);
                        TensorPrimitives.Multiply(dr, yr, dr);
                    }
                }

                if (inner == 1)
                {
                    input.DepositGrad(dx, input.Dims, owned: true);
                }
                else
                {
                    input.DepositGrad(MoveBack(dx, outer, size, inner), input.Dims, owned: true);
                    ReturnGradArray(dx);
                }
            }, savesOutput: true, graph: SoftmaxGraph(d, log));
        }

        return result;
    }

    /// <summary>Softmax or log-softmax of a float64 tensor along dimension <paramref name="d"/>, one row at a time.</summary>
    private Tensor SoftmaxFloat64(string op, int d, bool log)
    {
        Tensor rows;
        using (NoGrad())
        {
            rows = d == Rank - 1 ? this : Transpose(d, -1);
        }

        var size = Dims[d];
        var x = rows.Storage<double>();
        var output = NewOutput<double>(rows.Dims);
        var y = output.Storage<double>();
        var exps = new double[size];
        for (var r = 0; size > 0 && r < x.Length / size; r++)
        {
            var row = x.AsSpan(r * size, size);
            var dst = y.AsSpan(r * size, size);
            TensorPrimitives.Subtract(row, TensorPrimitives.Max<double>(row), dst);
            TensorPrimitives.Exp<double>(dst, exps);
            var sum = TensorPrimitives.Sum<double>(exps);
            if (log)
            {
                TensorPrimitives.Subtract(dst, Math.Log(sum), dst);
            }
            else
            {
                TensorPrimitives.Divide(exps, sum, dst);
            }
        }

        Tensor result;
        using (NoGrad())
        {
            result = d == Rank - 1 ? output : output.Transpose(d, -1);
        }

        if (NeedsGrad(this))
        {
            result.Record(op, [this], null, savesOutput: true, graph: SoftmaxGraph(d, log));
        }

        return result;
    }

    /// <summary>
    /// <see cref="MaskedSoftmax"/> as tensor ops, for float64: the masked elements become −∞ and a row's maximum is
    /// taken over the rest (0 for a row with none, which is then all zeros with a zero gradient, as the fused kernel's).
    /// </summary>
    private Tensor MaskedSoftmaxComposed(Tensor mask, int d)
    {
        var shifted = MaskedFill(mask, double.NegativeInfinity);
        var max = shifted.Max(d, keepDim: true).Detach();
        var exps = (shifted - max.MaskedFill(max.Eq(double.NegativeInfinity), 0.0)).Exp();
        var sums = exps.Sum(d, keepDim: true);
        return exps / sums.MaskedFill(sums.Eq(0.0), 1.0);
    }

    /// <summary>
    /// The gradient through tensor ops, from the output y: g − exp(y)·Σg for log-softmax, y ⊙ (g − Σ g⊙y) for
    /// softmax, the sums along <paramref name="d"/>.
    /// </summary>
    private static GraphBackwardFn SoftmaxGraph(int d, bool log) => log
        ? (o, g, x) => [g - (o.Exp() * g.Sum(d, keepDim: true))]
        : (o, g, x) => [(g - (g * o).Sum(d, keepDim: true)) * o];

    /// <summary>One row of <see cref="MaskedSoftmax"/>: the maximum, exponentials and sum over the unmasked elements only.</summary>
    private static void MaskedSoftmaxRow(ReadOnlySpan<float> x, ReadOnlySpan<bool> blocked, Span<float> dst)
    {
        var max = float.NegativeInfinity;
        for (var j = 0; j < x.Length; j++)
        {
            if (!blocked[j] && x[j] > max)
            {
                max = x[j];
            }
        }

        var sum = 0f;
        for (var j = 0; j < x.Length; j++)
        {
            dst[j] = blocked[j] || float.IsNegativeInfinity(max) ? 0f : MathF.Exp(x[j] - max);
            sum += dst[j];
        }

        if (sum > 0f)
        {
            TensorPrimitives.Divide(dst, sum, dst);
        }
    }

    /// <summary>dst = x − max − log Σ exp(x − max), one row; <paramref name="scratch"/> holds at least x.Length floats.</summary>
    private static void LogSoftmaxRow(ReadOnlySpan<float> x, Span<float> dst, float[] scratch)
    {
        TensorPrimitives.Subtract(x, TensorPrimitives.Max(x), dst);
        var exps = scratch.AsSpan(0, x.Length);
        TensorPrimitives.Exp(dst, exps);
        TensorPrimitives.Subtract(dst, MathF.Log(TensorPrimitives.Sum(exps)), dst);
    }

    /// <summary>[outer, size, inner] → [outer, inner, size], so that each softmax row is contiguous.</summary>
    private static float[] MoveToLast(float[] src, int outer, int size, int inner)
    {
        var dst = new float[src.Length];
        for (var o = 0; o < outer; o++)
        {
            Kernels.Permute.Transpose2D(src.AsSpan(o * size * inner, size * inner), size, inner, dst.AsSpan(o * size * inner, size * inner));
        }

        return dst;
    }

    /// <summary>[outer, inner, size] → [outer, size, inner].</summary>
    private static float[] MoveBack(float[] src, int outer, int size, int inner) => MoveToLast(src, outer, inner, size);
}
