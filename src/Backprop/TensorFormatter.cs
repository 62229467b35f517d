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
        if (t.DType.IsFloatingPoint())
        {
            for (var i = 0; i < t.Numel; i++)
            {
                var v = t.ElementAsDouble(i);
                integral &= double.IsFinite(v) && v == Math.Round(v) && Math.Abs(v) < 1e8;
            }
        }

        for (var i = 0; i < t.Numel; i++)
        {
            width = Math.Max(width, FormatValue(t, i, integral).Length);
        }

        var sb = new StringBuilder("tensor(");
        if (t.Rank == 0)
        {
            sb.Append(FormatValue(t, 0, integral));
        }
        else
        {
            AppendDim(sb, t, 0, 0, width, integral, summarize);
        }

        if (t.DType == DType.Float64)
        {
            sb.Append(", dtype=torch.float64");
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
                sb.Append(FormatValue(t, offset + i, integral).PadLeft(width));
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

    /// <summary>Element <paramref name="flat"/> as PyTorch writes it: 3 for int64, True for bool, 3. or 0.5000 for floats.</summary>
    private static string FormatValue(Tensor t, int flat, bool integral)
    {
        switch (t.DType)
        {
            case DType.Int64:
                return t.Storage<long>()[flat].ToString(CultureInfo.InvariantCulture);
            case DType.Bool:
                return t.Storage<bool>()[flat] ? "True" : "False";
        }

        var v = t.ElementAsDouble(flat);
        if (integral)
        {
            return v.ToString("0", CultureInfo.InvariantCulture) + ".";
        }

        var a = Math.Abs(v);
        return a != 0 && double.IsFinite(v) && (a >= 1e5 || a < 1e-4)
            ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture)
            : v.ToString("0.0000", CultureInfo.InvariantCulture);
    }
}
