namespace Backprop.Kernels;

/// <summary>Reorders the dimensions of a row-major array.</summary>
internal static class Permute
{
    /// <summary>Permutes storage of any dtype: <see cref="Apply{T}"/> on arrays of one element type.</summary>
    public static void Apply(Array src, int[] srcShape, int[] perm, Array dst)
    {
        switch (src)
        {
            case float[] f: Apply<float>(f, srcShape, perm, (float[])dst); break;
            case double[] d: Apply<double>(d, srcShape, perm, (double[])dst); break;
            case long[] l: Apply<long>(l, srcShape, perm, (long[])dst); break;
            default: Apply<bool>((bool[])src, srcShape, perm, (bool[])dst); break;
        }
    }

    /// <summary>dst (shape srcShape permuted by <paramref name="perm"/>) = src with its dimensions reordered.</summary>
    public static void Apply<T>(ReadOnlySpan<T> src, int[] srcShape, int[] perm, Span<T> dst)
    {
        var rank = srcShape.Length;
        if (rank == 2 && perm[0] == 1)
        {
            Transpose2D(src, srcShape[0], srcShape[1], dst);
            return;
        }

        var srcStrides = Shapes.Strides(srcShape);
        var dstShape = new int[rank];
        var strides = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            dstShape[i] = srcShape[perm[i]];
            strides[i] = srcStrides[perm[i]];
        }

        var index = new int[rank];
        var offset = 0;
        for (var k = 0; k < dst.Length; k++)
        {
            dst[k] = src[offset];
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < dstShape[d])
                {
                    offset += strides[d];
                    break;
                }

                offset -= strides[d] * (dstShape[d] - 1);
                index[d] = 0;
            }
        }
    }

    /// <summary>dst[j, i] = src[i, j] for an rows×cols source, in cache-friendly blocks.</summary>
    public static void Transpose2D<T>(ReadOnlySpan<T> src, int rows, int cols, Span<T> dst)
    {
        const int Block = 32;
        for (var i0 = 0; i0 < rows; i0 += Block)
        {
            var i1 = Math.Min(rows, i0 + Block);
            for (var j0 = 0; j0 < cols; j0 += Block)
            {
                var j1 = Math.Min(cols, j0 + Block);
                for (var i = i0; i < i1; i++)
                {
                    for (var j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[(i * cols) + j];
                    }
                }
            }
        }
    }
}
