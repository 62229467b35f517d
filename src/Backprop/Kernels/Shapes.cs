using System.Text;

namespace Backprop.Kernels;

/// <summary>Shape arithmetic shared by kernels and ops: element counts, strides, broadcasting.</summary>
internal static class Shapes
{
    /// <summary>The number of elements of a shape (1 for a scalar's empty shape).</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }

        return checked((int)n);
    }

    /// <summary>Row-major strides of a shape.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        var s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }

        return strides;
    }

    /// <summary>Steps row-major coordinates within <paramref name="shape"/> to the next element (past the last, back to zeros).</summary>
    public static void Increment(Span<int> coordinates, ReadOnlySpan<int> shape)
    {
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (++coordinates[d] < shape[d])
            {
                return;
            }

            coordinates[d] = 0;
        }
    }

    /// <summary>Formats a shape the way error messages show it: [4,3].</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(shape[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <summary>The broadcast shape of two shapes, by NumPy's rules, or an error naming the op.</summary>
    public static int[] Broadcast(string op, int[] a, int[] b)
    {
        if (a.AsSpan().SequenceEqual(b))
        {
            return a;
        }

        // An operand of the result's shape (a bias added to rows) lends its array: dims arrays are never changed.
        var rank = Math.Max(a.Length, b.Length);
        bool likeA = a.Length == rank, likeB = b.Length == rank;
        for (var i = 0; i < rank; i++)
        {
            int da = Dim(a, i, rank), db = Dim(b, i, rank);
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast: dimension {i} is {da} in one and {db} in the other.");
            }

            likeA &= db == 1 || db == da;
            likeB &= da == 1 || da == db;
        }

        if (likeA || likeB)
        {
            return likeA ? a : b;
        }

        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            int da = Dim(a, i, rank), db = Dim(b, i, rank);
            result[i] = da == 1 ? db : da;
        }

        return result;

        // Dimension i of a shape aligned to the right of rank dimensions (1 where it has none).
        static int Dim(int[] shape, int i, int rank) => i < rank - shape.Length ? 1 : shape[i - (rank - shape.Length)];
    }

    /// <summary>
    /// Strides for reading a tensor of <paramref name="shape"/> as if it had the broadcast shape
    /// <paramref name="target"/>: 0 for every dimension it is broadcast along.
    /// </summary>
    public static int[] BroadcastStrides(int[] shape, int[] target)
    {
        var own = Strides(shape);
        var result = new int[target.Length];
        var pad = target.Length - shape.Length;
        for (var i = 0; i < shape.Length; i++)
        {
            result[i + pad] = shape[i] == 1 && target[i + pad] != 1 ? 0 : own[i];
        }

        return result;
    }

    /// <summary>Turns a possibly negative dimension into 0..rank-1, or throws naming the op.</summary>
    public static int NormalizeDim(string op, int dim, int rank)
    {
        var d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{op}: dimension {dim} is out of range for a tensor of rank {rank}.");
        }

        return d;
    }

    /// <summary>Splits a shape around <paramref name="dim"/> into (outer, size, inner) extents.</summary>
    public static (int Outer, int Size, int Inner) Split(int[] shape, int dim)
    {
        var outer = 1;
        for (var i = 0; i < dim; i++)
        {
            outer *= shape[i];
        }

        var inner = 1;
        for (var i = dim + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        return (outer, shape[dim], inner);
    }
}
