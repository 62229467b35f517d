using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: 2-D × 2-D is a matrix product; 1-D operands are treated as a
    /// row (left) or column (right) vector and that dimension is removed again; higher ranks are batches of
    /// matrices whose batch dimensions broadcast.
    /// </summary>
    /// <param name="other">The right operand.</param>
    /// <returns>this · other.</returns>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var float64 = IsFloat64("MatMul", this, other);
        if (Rank == 0 || other.Rank == 0)
        {
            throw new ArgumentException($"MatMul: {Shapes.Format(Dims)} x {Shapes.Format(other.Dims)}: both operands need at least one dimension.", nameof(other));
        }

        if (Rank == 1 && other.Rank == 1)
        {
            return Dot(other);
        }

        if (Rank == 1)
        {
            return Unsqueeze(0).MatMul(other).Squeeze(-2);
        }

        if (other.Rank == 1)
        {
            return MatMul(other.Unsqueeze(1)).Squeeze(-1);
        }

        int m = Dims[^2], k = Dims[^1], k2 = other.Dims[^2], n = other.Dims[^1];
        if (k != k2)
        {
            throw new ArgumentException($"MatMul: {Shapes.Format(Dims)} x {Shapes.Format(other.Dims)}: inner dimensions {k} and {k2} differ.", nameof(other));
        }

        return float64 ? MatMulFloat64(this, other, m, k, n)
            : Rank == 2 && other.Rank == 2 ? MatMul2D(this, other, m, k, n) : BatchedMatMul(this, other, m, k, n);
    }

    /// <summary>The gradient of a (batched) matrix product through tensor ops: dA = G·Bᵀ and dB = Aᵀ·G, summed over broadcast batches.</summary>
    private static readonly GraphBackwardFn s_matMulGraph = static (o, g, x) =>
    [
        x[0].RequiresGrad ? g.MatMul(x[1].Transpose(-1, -2)).SumTo(x[0].Dims) : null,
        x[1].RequiresGrad ? x[0].Transpose(-1, -2).MatMul(g).SumTo(x[1].Dims) : null,
    ];

    /// <summary>The dot product of two 1-D tensors of the same length, as a zero-dimensional tensor (PyTorch's a @ b).</summary>
    /// <param name="other">The other vector.</param>
    /// <returns>Σ this[i]·other[i].</returns>
    public Tensor Dot(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rank != 1 || other.Rank != 1 || Dims[0] != other.Dims[0])
        {
            throw new ArgumentException($"Dot: {Shapes.Format(Dims)} and {Shapes.Format(other.Dims)}: both must be 1-D of the same length.", nameof(other));
        }

        return Unsqueeze(0).MatMul(other.Unsqueeze(1)).Reshape();
    }

    /// <summary>The outer product of two 1-D tensors: [n] and [m] give [n, m] with result[i, j] = this[i]·other[j].</summary>
    /// <param name="other">The other vector.</param>
    /// <returns>The outer product.</returns>
    public Tensor Outer(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rank != 1 || other.Rank != 1)
        {
            throw new ArgumentException($"Outer: {Shapes.Format(Dims)} and {Shapes.Format(other.Dims)}: both must be 1-D.", nameof(other));
        }

        return Unsqueeze(1).MatMul(other.Unsqueeze(0));
    }

    private static Tensor MatMul2D(Tensor a, Tensor b, int m, int k, int n)
    {
        var result = NewOutput([m, n]);
        Gemm.Multiply(a.Data, false, b.Data, false, result.Data, m, n, k, accumulate: false);
        if (NeedsGrad(a, b))
        {
            Tensor[] operands = [a, b];
            result.Record("MatMul", operands, (m, k, n), static (s, _, x, g) => MatMulBackward(x[0], x[1], transB: false, g, s.m, s.k, s.n), operands, graph: static (_, o, g, x) => s_matMulGraph(o, g, x));
        }

        return result;
    }

    /// <summary>
    /// The backward of C = A·op(B), with A [m, k] and op(B) [k, n], B stored [k, n] or, with
    /// <paramref name="transB"/>, [n, k] (Linear's weight): dA = G·op(B)ᵀ and dB = Aᵀ·G (or Gᵀ·A for a
    /// stored transpose), each accumulated straight into the gradient by the GEMM.
    /// </summary>
    private static void MatMulBackward(Tensor a, Tensor b, bool transB, float[] g, int m, int k, int n)
    {
        if (a.RequiresGrad)
        {
            var ga = a.GradAccumulator(out var fresh);
            Gemm.Multiply(g, false, b.Data, !transB, ga, m, k, n, accumulate: !fresh);
        }

        if (b.RequiresGrad)
        {
            var gb = b.GradAccumulator(out var fresh);
            if (transB)
            {
                Gemm.Multiply(g, true, a.Data, false, gb, n, k, m, accumulate: !fresh);
            }
            else
            {
                Gemm.Multiply(a.Data, true, g, false, gb, k, n, m, accumulate: !fresh);
            }
        }
    }

    private static Tensor BatchedMatMul(Tensor a, Tensor b, int m, int k, int n)
    {
        var aBatch = a.Dims[..^2];
        var bBatch = b.Dims[..^2];
        var batch = Shapes.Broadcast("MatMul", aBatch, bBatch);
        var count = Shapes.Numel(batch);
        var aOffsets = BatchOffsets(aBatch, batch, m * k);
        var bOffsets = BatchOffsets(bBatch, batch, k * n);
        var result = NewOutput([.. batch, m, n]);
        for (var i = 0; i < count; i++)
        {
            Gemm.Multiply(a.Data.AsSpan(aOffsets[i], m * k), false, b.Data.AsSpan(bOffsets[i], k * n), false, result.Data.AsSpan(i * m * n, m * n), m, n, k, accumulate: false);
        }

        if (NeedsGrad(a, b))
        {
            Tensor[] operands = [a, b];
            result.Record("MatMul", operands, g =>
            {
                var ga = a.RequiresGrad ? a.GradAccumulator() : default;
                var gb = b.RequiresGrad ? b.GradAccumulator() : default;
                for (var i = 0; i < count; i++)
                {
                    var gi = g.AsSpan(i * m * n, m * n);
                    if (a.RequiresGrad)
                    {
                        Gemm.Multiply(gi, false, b.Data.AsSpan(bOffsets[i], k * n), true, ga.Slice(aOffsets[i], m * k), m, k, n, accumulate: true);
                    }

                    if (b.RequiresGrad)
                    {
                        Gemm.Multiply(a.Data.AsSpan(aOffsets[i], m * k), true, gi, false, gb.Slice(bOffsets[i], k * n), k, n, m, accumulate: true);
                    }
                }
            }, operands, graph: s_matMulGraph);
        }

        return result;
    }

    /// <summary>The float64 product of matrices or broadcast batches of them; its gradient runs through tensor ops.</summary>
    private static Tensor MatMulFloat64(Tensor a, Tensor b, int m, int k, int n)
    {
        var aBatch = a.Dims[..^2];
        var bBatch = b.Dims[..^2];
        var batch = Shapes.Broadcast("MatMul", aBatch, bBatch);
        var aOffsets = BatchOffsets(aBatch, batch, m * k);
        var bOffsets = BatchOffsets(bBatch, batch, k * n);
        var result = NewOutput<double>([.. batch, m, n]);
        var (x, y, z) = (a.Storage<double>(), b.Storage<double>(), result.Storage<double>());
        for (var i = 0; i < aOffsets.Length; i++)
        {
            GemmFloat64.Multiply(x.AsSpan(aOffsets[i], m * k), y.AsSpan(bOffsets[i], k * n), z.AsSpan(i * m * n, m * n), m, n, k);
        }

        if (NeedsGrad(a, b))
        {
            Tensor[] operands = [a, b];
            result.Record("MatMul", operands, null, operands, graph: s_matMulGraph);
        }

        return result;
    }

    /// <summary>For each batch index of the broadcast batch shape, the offset of the matching matrix in an operand.</summary>
    private static int[] BatchOffsets(int[] own, int[] batch, int matrixSize)
    {
        var strides = Shapes.BroadcastStrides(own, batch);
        var offsets = new int[Shapes.Numel(batch)];
        var index = new int[batch.Length];
        for (var i = 0; i < offsets.Length; i++)
        {
            var offset = 0;
            for (var d = 0; d < batch.Length; d++)
            {
                offset += index[d] * strides[d];
            }

            offsets[i] = offset * matrixSize;
            for (var d = batch.Length - 1; d >= 0 && ++index[d] == batch[d]; d--)
            {
                index[d] = 0;
            }
        }

        return offsets;
    }
}
