using System.Globalization;
using System.Text;

namespace Backprop.Cli.Explaining;

/// <summary>Compact one-line renderings of small tensors for explanations: [[0.3306, 0.6155]].</summary>
internal static class TensorText
{
    public static string Format(Tensor t)
    {
        if (t.DType == DType.Int64)
        {
            // Class indices: the explain views' only integer tensors, 1-D.
            return "[" + string.Join(", ", t.ToArray<long>()) + "]";
        }

        if (t.Rank == 0)
        {
            return Number(t.Item());
        }

        var sb = new StringBuilder();
        Append(sb, t.ToArray(), t.Shape, 0, 0);
        return sb.ToString();
    }

    /// <summary>The values as nested arrays, for JSON.</summary>
    public static object Nested(Tensor t)
    {
        if (t.DType == DType.Int64)
        {
            return t.ToArray<long>();
        }

        var data = t.ToArray();
        if (t.Rank == 0)
        {
            return data[0];
        }

        return Build(data, t.Shape, 0, 0);
    }

    public static string Number(float v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static object Build(float[] data, int[] shape, int dim, int offset)
    {
        var stride = shape.Skip(dim + 1).Aggregate(1, (a, b) => a * b);
        if (dim == shape.Length - 1)
        {
            return data.AsSpan(offset, shape[dim]).ToArray();
        }

        return Enumerable.Range(0, shape[dim]).Select(i => Build(data, shape, dim + 1, offset + (i * stride))).ToArray();
    }

    private static void Append(StringBuilder sb, float[] data, int[] shape, int dim, int offset)
    {
        var stride = shape.Skip(dim + 1).Aggregate(1, (a, b) => a * b);
        sb.Append('[');
        for (var i = 0; i < shape[dim]; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            if (dim == shape.Length - 1)
            {
                sb.Append(Number(data[offset + i]));
            }
            else
            {
                Append(sb, data, shape, dim + 1, offset + (i * stride));
            }
        }

        sb.Append(']');
    }
}
