using System.Globalization;
using System.Text;

namespace Backprop;

/// <summary>Formats tensors the way PyTorch prints them: nested brackets, aligned columns, edges of large tensors.</summary>
internal static class TensorFormatter
{
    private const int SummaryThreshold = 1000;
    private const int EdgeItems = 3;

    public static string Format(Tensor t)
    {
        var summarize = t.Numel > SummaryThreshold;
        var integral = true;
        var width = 1;
        foreach (var v in t.Data)
        {
            integral &= float.IsFinite(v) && v == MathF.Round(v) && MathF.Abs(v) < 1e8f;
        }

        foreach (var v in t.Data)
        {
            width = Math.Max(width, FormatValue(v, integral).Length);
        }

        var sb = new StringBuilder("tensor(");
        if (t.Rank == 0)
        {
            sb.Append(FormatValue(t.Data[0], integral));
        }
        else
        {
            AppendDim(sb, t, 0, 0, width, integral, summarize);
        }

        if (t.GradFnName is { } op)
        {
            sb.Append(", gradFn=").Append(op);
        }
        else if (t.RequiresGrad)
        {
            sb.Append(", requiresGrad=true");
        }

        return sb.Append(')').ToString();
    }

    private static void AppendDim(StringBuilder sb, Tensor t, int dim, int offset, int width, bool integral, bool summarize)
    {
        var size = t.Dims[dim];
        var stride = 1;
        for (var d = dim + 1; d < t.Rank; d++)
        {
            stride *= t.Dims[d];
        }

        sb.Append('[');
        var indent = new string(' ', "tensor(".Length + dim + 1);
        for (var i = 0; i < size; i++)
        {
            if (summarize && size > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(dim == t.Rank - 1 ? "..., " : "...,\n" + indent);
                i = size - EdgeItems - 1;
                continue;
            }

            if (dim == t.Rank - 1)
            {
                sb.Append(FormatValue(t.Data[offset + i], integral).PadLeft(width));
            }
            else
            {
                AppendDim(sb, t, dim + 1, offset + (i * stride), width, integral, summarize);
            }

            if (i < size - 1)
            {
                sb.Append(dim == t.Rank - 1 ? ", " : "," + new string('\n', t.Rank - dim - 1) + indent);
            }
        }

        sb.Append(']');
    }

    private static string FormatValue(float v, bool integral)
    {
        if (integral)
        {
            return v.ToString("0", CultureInfo.InvariantCulture) + ".";
        }

        var a = MathF.Abs(v);
        return a != 0 && float.IsFinite(v) && (a >= 1e5f || a < 1e-4f)
            ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture)
            : v.ToString("0.0000", CultureInfo.InvariantCulture);
    }
}
