using System.Globalization;
using System.Text;

namespace Backprop;

/// <summary>
/// Formats tensors the way PyTorch prints them (torch/_tensor_str.py): nested brackets, one width for every
/// element, one notation for the whole tensor (fixed with 4 decimals, whole numbers with a trailing point, or
/// scientific when the magnitudes span more than 1000× or reach 1e8, or a fraction is below 1e-4), the edges of
/// large tensors, and the dtype and autograd flags after the values.
/// </summary>
internal static class TensorFormatter
{
    private const int SummaryThreshold = 1000;
    private const int EdgeItems = 3;
    private const int LineWidth = 80;

    public static string Format(Tensor t)
    {
        var notation = Choose(t);
        // As PyTorch: the width of a float tensor comes from its nonzero finite elements only.
        var width = 1;
        for (var i = 0; i < t.Numel; i++)
        {
            var v = t.ElementAsDouble(i);
            if (!t.DType.IsFloatingPoint() || (v != 0 && double.IsFinite(v)))
            {
                width = Math.Max(width, FormatValue(t, i, notation).Length);
            }
        }

        var sb = new StringBuilder("tensor(");
        if (t.Rank == 0)
        {
            sb.Append(FormatValue(t, 0, notation));
        }
        else
        {
            AppendDim(sb, t, 0, 0, width, notation, t.Numel > SummaryThreshold);
        }

        if (t.DType == DType.Float64)
        {
            sb.Append(", dtype=torch.float64");
        }
        else if (t.Numel == 0 && t.DType != DType.Float32)
        {
            sb.Append(", dtype=torch.").Append(t.DType.Name());
        }

        if (t.GradFnName is { } op)
        {
            sb.Append(", grad_fn=<").Append(op).Append("Backward0>");
        }
        else if (t.RequiresGrad)
        {
            sb.Append(", requires_grad=True");
        }

        return sb.Append(')').ToString();
    }

    private enum Notation
    {
        Fixed,
        Whole,
        Scientific,
    }

    /// <summary>PyTorch's choice of one notation for all elements, from the nonzero finite magnitudes.</summary>
    private static Notation Choose(Tensor t)
    {
        if (!t.DType.IsFloatingPoint())
        {
            return Notation.Fixed;
        }

        double min = double.PositiveInfinity, max = 0;
        var whole = true;
        for (var i = 0; i < t.Numel; i++)
        {
            var v = t.ElementAsDouble(i);
            if (v == 0 || !double.IsFinite(v))
            {
                continue;
            }

            min = Math.Min(min, Math.Abs(v));
            max = Math.Max(max, Math.Abs(v));
            whole &= v == Math.Ceiling(v);
        }

        if (max == 0)
        {
            return whole ? Notation.Whole : Notation.Fixed;
        }

        var spread = max / min > 1000 || max > 1e8;
        return whole ? (spread ? Notation.Scientific : Notation.Whole) : spread || min < 1e-4 ? Notation.Scientific : Notation.Fixed;
    }

    private static void AppendDim(StringBuilder sb, Tensor t, int dim, int offset, int width, Notation notation, bool summarize)
    {
        var size = t.Dims[dim];
        var stride = 1;
        for (var d = dim + 1; d < t.Rank; d++)
        {
            stride *= t.Dims[d];
        }

        var indent = "tensor(".Length + dim;
        var skip = summarize && size > 2 * EdgeItems;
        if (dim == t.Rank - 1)
        {
            // The last dimension wraps at 80 columns, as PyTorch's linewidth does.
            var items = new List<string>();
            for (var i = 0; i < size; i++)
            {
                if (skip && i == EdgeItems)
                {
                    items.Add(" ...");
                    i = size - EdgeItems - 1;
                    continue;
                }

                items.Add(FormatValue(t, offset + i, notation).PadLeft(width));
            }

            var perLine = Math.Max(1, (LineWidth - indent) / (width + 2));
            sb.Append('[');
            for (var i = 0; i < items.Count; i++)
            {
                sb.Append(i == 0 ? string.Empty : i % perLine == 0 ? ",\n" + new string(' ', indent + 1) : ", ").Append(items[i]);
            }

            sb.Append(']');
            return;
        }

        var separator = "," + new string('\n', t.Rank - dim - 1) + new string(' ', indent + 1);
        sb.Append('[');
        for (var i = 0; i < size; i++)
        {
            if (skip && i == EdgeItems)
            {
                sb.Append("...").Append(separator);
                i = size - EdgeItems - 1;
                continue;
            }

            AppendDim(sb, t, dim + 1, offset + (i * stride), width, notation, summarize);
            if (i < size - 1)
            {
                sb.Append(separator);
            }
        }

        sb.Append(']');
    }

    /// <summary>Element <paramref name="flat"/> as PyTorch writes it: 3 for int64, True for bool, 3., 0.5000 or 1.0000e+05 for floats, nan and inf.</summary>
    private static string FormatValue(Tensor t, int flat, Notation notation)
    {
        switch (t.DType)
        {
            case DType.Int64:
                return t.Storage<long>()[flat].ToString(CultureInfo.InvariantCulture);
            case DType.Bool:
                return t.Storage<bool>()[flat] ? "True" : "False";
        }

        var v = t.ElementAsDouble(flat);
        if (!double.IsFinite(v))
        {
            return double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }

        return notation switch
        {
            Notation.Whole => v.ToString("0", CultureInfo.InvariantCulture) + ".",
            Notation.Scientific => v.ToString("0.0000e+00", CultureInfo.InvariantCulture),
            _ => v.ToString("0.0000", CultureInfo.InvariantCulture),
        };
    }
}
