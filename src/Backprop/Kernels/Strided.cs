namespace Backprop.Kernels;

/// <summary>
/// Element moves between a strided layout (an offset and one stride per dimension, in a flat storage) and a
/// row-major array: what a view reads from and writes back to the storage it shares.
/// </summary>
internal static class Strided
{
    /// <summary>dst (row-major, of <paramref name="dims"/>) = the elements of src at <paramref name="offset"/> + Σ coordinate·stride.</summary>
    public static void Gather(Array src, int offset, int[] strides, int[] dims, Array dst)
    {
        switch (src)
        {
            case float[] f: Move(f, (float[])dst, offset, strides, dims, toLayout: false); break;
            case double[] d: Move(d, (double[])dst, offset, strides, dims, toLayout: false); break;
            case long[] l: Move(l, (long[])dst, offset, strides, dims, toLayout: false); break;
            default: Move((bool[])src, (bool[])dst, offset, strides, dims, toLayout: false); break;
        }
    }

    /// <summary>The adjoint move: the elements of src (row-major, of <paramref name="dims"/>) go to their strided places in dst.</summary>
    public static void Scatter(Array src, Array dst, int offset, int[] strides, int[] dims)
    {
        switch (dst)
        {
            case float[] f: Move(f, (float[])src, offset, strides, dims, toLayout: true); break;
            case double[] d: Move(d, (double[])src, offset, strides, dims, toLayout: true); break;
            case long[] l: Move(l, (long[])src, offset, strides, dims, toLayout: true); break;
            default: Move((bool[])dst, (bool[])src, offset, strides, dims, toLayout: true); break;
        }
    }

    /// <summary>The flat position of each element of the layout, in row-major order of <paramref name="dims"/>.</summary>
    public static int[] Positions(int offset, int[] strides, int[] dims)
    {
        var positions = new int[Shapes.Numel(dims)];
        var coordinates = new int[dims.Length];
        for (var k = 0; k < positions.Length; k++)
        {
            var p = offset;
            for (var d = 0; d < dims.Length; d++)
            {
                p += coordinates[d] * strides[d];
            }

            positions[k] = p;
            Shapes.Increment(coordinates, dims);
        }

        return positions;
    }

    /// <summary>
    /// The strides with which a tensor of <paramref name="newDims"/> views the same elements, in the same row-major
    /// order, as a layout of <paramref name="dims"/> and <paramref name="strides"/>; null when no strides can (the
    /// reshape would need a copy). PyTorch's rule: dimensions merge only where their strides chain.
    /// </summary>
    public static int[]? ViewStrides(int[] dims, int[] strides, int[] newDims)
    {
        if (dims.AsSpan().SequenceEqual(newDims))
        {
            return (int[])strides.Clone();
        }

        var result = new int[newDims.Length];
        if (Shapes.Numel(dims) == 0 || dims.Length == 0)
        {
            // No element, or one element: any strides reach the same elements.
            return Shapes.Strides(newDims);
        }

        var viewDim = newDims.Length - 1;
        var chunkStride = strides[^1];
        long tensorNumel = 1, viewNumel = 1;
        for (var d = dims.Length - 1; d >= 0; d--)
        {
            tensorNumel *= dims[d];
            if (d == 0 || (dims[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkStride))
            {
                while (viewDim >= 0 && (viewNumel < tensorNumel || newDims[viewDim] == 1))
                {
                    result[viewDim] = checked((int)(viewNumel * chunkStride));
                    viewNumel *= newDims[viewDim];
                    viewDim--;
                }

                if (viewNumel != tensorNumel)
                {
                    return null;
                }

                if (d > 0)
                {
                    chunkStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }

        return viewDim == -1 ? result : null;
    }

    /// <summary>Whether a layout reads its elements in row-major order without gaps (size-1 dimensions' strides do not matter).</summary>
    public static bool IsContiguous(int[] dims, int[] strides)
    {
        var expected = 1;
        for (var d = dims.Length - 1; d >= 0; d--)
        {
            if (dims[d] == 1)
            {
                continue;
            }

            if (dims[d] == 0)
            {
                return true;
            }

            if (strides[d] != expected)
            {
                return false;
            }

            expected *= dims[d];
        }

        return true;
    }

    /// <summary>Copies between the strided places in <paramref name="layout"/> and the row-major <paramref name="dense"/>, in the direction <paramref name="toLayout"/> says.</summary>
    private static void Move<T>(T[] layout, T[] dense, int offset, int[] strides, int[] dims, bool toLayout)
    {
        if (dense.Length == 0)
        {
            return;
        }

        var rank = dims.Length;
        if (rank == 0)
        {
            if (toLayout)
            {
                layout[offset] = dense[0];
            }
            else
            {
                dense[0] = layout[offset];
            }

            return;
        }

        int inner = dims[rank - 1], innerStride = strides[rank - 1];
        Span<int> coordinates = stackalloc int[rank];
        coordinates.Clear();
        var start = offset;
        for (var k = 0; k < dense.Length; k += inner)
        {
            if (innerStride == 1)
            {
                if (toLayout)
                {
                    dense.AsSpan(k, inner).CopyTo(layout.AsSpan(start, inner));
                }
                else
                {
                    layout.AsSpan(start, inner).CopyTo(dense.AsSpan(k, inner));
                }
            }
            else
            {
                for (int j = 0, p = start; j < inner; j++, p += innerStride)
                {
                    if (toLayout)
                    {
                        layout[p] = dense[k + j];
                    }
                    else
                    {
                        dense[k + j] = layout[p];
                    }
                }
            }

            for (var d = rank - 2; d >= 0; d--)
            {
                start += strides[d];
                if (++coordinates[d] < dims[d])
                {
                    break;
                }

                start -= coordinates[d] * strides[d];
                coordinates[d] = 0;
            }
        }
    }
}
