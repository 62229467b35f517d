using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>Broadcasting elementwise kernels: the innermost dimension runs as a vectorised span op.</summary>
internal static class Broadcasting
{
    /// <summary>d = op(a, b) where a and b broadcast to <paramref name="dShape"/>.</summary>
    public static void Binary<T, TOp>(ReadOnlySpan<T> a, int[] aShape, ReadOnlySpan<T> b, int[] bShape, Span<T> d, int[] dShape)
        where TOp : IBinaryOp<T>
    {
        if (aShape.AsSpan().SequenceEqual(dShape) && bShape.AsSpan().SequenceEqual(dShape))
        {
            TOp.Apply(a, b, d);
            return;
        }

        if (b.Length == 1)
        {
            TOp.Apply(a, b[0], d);
            return;
        }

        if (a.Length == 1)
        {
            TOp.Apply(a[0], b, d);
            return;
        }

        var rank = dShape.Length;
        var aStrides = Shapes.BroadcastStrides(aShape, dShape);
        var bStrides = Shapes.BroadcastStrides(bShape, dShape);
        var inner = dShape[rank - 1];
        var aInner = aStrides[rank - 1];
        var bInner = bStrides[rank - 1];
        var index = new int[rank];
        int aOff = 0, bOff = 0;
        for (var dOff = 0; dOff < d.Length; dOff += inner)
        {
            var dst = d.Slice(dOff, inner);
            if (aInner != 0 && bInner != 0)
            {
                TOp.Apply(a.Slice(aOff, inner), b.Slice(bOff, inner), dst);
            }
            else if (aInner != 0)
            {
                TOp.Apply(a.Slice(aOff, inner), b[bOff], dst);
            }
            else
            {
                TOp.Apply(a[aOff], b.Slice(bOff, inner), dst);
            }

            Advance(index, dShape, aStrides, bStrides, ref aOff, ref bOff);
        }
    }

    /// <summary>
    /// Sums <paramref name="src"/> (shape <paramref name="srcShape"/>) over the dimensions along which
    /// <paramref name="dstShape"/> was broadcast, adding the result into <paramref name="dst"/>.
    /// </summary>
    public static void SumInto(ReadOnlySpan<float> src, int[] srcShape, Span<float> dst, int[] dstShape)
    {
        if (dst.Length == src.Length)
        {
            TensorPrimitives.Add(dst, src, dst);
            return;
        }

        if (dst.Length == 1)
        {
            dst[0] += TensorPrimitives.Sum(src);
            return;
        }

        if (IsTrailing(dstShape, srcShape))
        {
            // A bias's gradient: dst repeats whole along the leading dimensions, so add src block by block.
            for (var offset = 0; offset < src.Length; offset += dst.Length)
            {
                TensorPrimitives.Add(dst, src.Slice(offset, dst.Length), dst);
            }

            return;
        }

        var rank = srcShape.Length;
        var dStrides = Shapes.BroadcastStrides(dstShape, srcShape);
        var unused = new int[rank];
        var inner = srcShape[rank - 1];
        var dInner = dStrides[rank - 1];
        var index = new int[rank];
        int dOff = 0, zero = 0;
        for (var sOff = 0; sOff < src.Length; sOff += inner)
        {
            var row = src.Slice(sOff, inner);
            if (dInner != 0)
            {
                var target = dst.Slice(dOff, inner);
                TensorPrimitives.Add(target, row, target);
            }
            else
            {
                dst[dOff] += TensorPrimitives.Sum(row);
            }

            Advance(index, srcShape, dStrides, unused, ref dOff, ref zero);
        }
    }

    /// <summary>Whether <paramref name="inner"/> (leading 1s aside) equals the last dimensions of <paramref name="outer"/>.</summary>
    private static bool IsTrailing(int[] inner, int[] outer)
    {
        var skip = 0;
        while (skip < inner.Length && inner[skip] == 1)
        {
            skip++;
        }

        var tail = inner.Length - skip;
        return tail <= outer.Length && inner.AsSpan(skip).SequenceEqual(outer.AsSpan(outer.Length - tail));
    }

    /// <summary>Steps a row-major index over all but the last dimension, updating two strided offsets.</summary>
    private static void Advance(int[] index, int[] shape, int[] s1, int[] s2, ref int off1, ref int off2)
    {
        for (var dim = shape.Length - 2; dim >= 0; dim--)
        {
            if (++index[dim] < shape[dim])
            {
                off1 += s1[dim];
                off2 += s2[dim];
                return;
            }

            off1 -= s1[dim] * (shape[dim] - 1);
            off2 -= s2[dim] * (shape[dim] - 1);
            index[dim] = 0;
        }
    }
}
