using System.Buffers;
using System.Numerics.Tensors;

namespace Backprop.Kernels.Normalization;

/// <summary>
/// Layer normalization over contiguous rows (the last dimensions of the input), row by row with whole-row
/// vector passes: y = (x − mean)·invstd·γ + β. Backward gives dx per row and adds Σ dy·x̂ and Σ dy over the
/// rows into γ's and β's gradients, from one partial per share of rows, summed in share order so that the
/// result does not depend on which thread finished first.
/// </summary>
internal static class LayerNormKernel
{
    /// <summary>Rows per share from which splitting across threads pays.</summary>
    private const int ElementsPerShare = 1 << 14;

    /// <summary>Normalizes each of the <paramref name="rows"/> rows of <paramref name="width"/> elements; keeps each row's mean and 1/σ.</summary>
    public static void Forward(float[] x, int rows, int width, float[]? weight, float[]? bias, float eps, float[] y, float[] mean, float[] invstd) =>
        WorkSplitter.For(rows, MinimumRows(width), (x, width, weight, bias, eps, y, mean, invstd), static (s, begin, count) =>
        {
            var (x, width, weight, bias, eps, y, mean, invstd) = s;
            for (var r = begin; r < begin + count; r++)
            {
                var row = x.AsSpan(r * width, width);
                var output = y.AsSpan(r * width, width);
                var m = TensorPrimitives.Sum(row) / width;
                TensorPrimitives.Subtract(row, m, output);
                var inv = 1f / MathF.Sqrt((TensorPrimitives.SumOfSquares(output) / width) + eps);
                (mean[r], invstd[r]) = (m, inv);
                TensorPrimitives.Multiply(output, inv, output);
                if (weight is not null && bias is not null)
                {
                    TensorPrimitives.MultiplyAdd(output, weight, bias, output);
                }
                else if (weight is not null)
                {
                    TensorPrimitives.Multiply(output, weight, output);
                }
                else if (bias is not null)
                {
                    TensorPrimitives.Add(output, bias, output);
                }
            }
        });

    /// <summary>
    /// dx = invstd·(dy·γ − mean(dy·γ) − x̂·mean(dy·γ·x̂)) per row (when <paramref name="dx"/> is given, overwritten),
    /// and Σ dy·x̂, Σ dy over rows added into <paramref name="dWeight"/> and <paramref name="dBias"/> (when given).
    /// </summary>
    public static void Backward(float[] x, float[] dy, int rows, int width, float[] mean, float[] invstd, float[]? weight, float[]? dx, Span<float> dWeight, Span<float> dBias)
    {
        var parts = Math.Clamp(rows / MinimumRows(width), 1, Math.Max(1, Threads.Count));
        var partials = BufferPool<float>.RentZeroed(parts * 2 * width);
        WorkSplitter.For(parts, 1, (x, dy, rows, width, mean, invstd, weight, dx, partials, parts), static (s, begin, count) =>
        {
            var (x, dy, rows, width, mean, invstd, weight, dx, partials, parts) = s;
            var xHat = ArrayPool<float>.Shared.Rent(width);
            var scaled = ArrayPool<float>.Shared.Rent(width);
            for (var part = begin; part < begin + count; part++)
            {
                var dGamma = partials.AsSpan(part * 2 * width, width);
                var dBeta = partials.AsSpan((part * 2 * width) + width, width);
                var (first, last) = WorkSplitter.Range(rows, part, parts);
                for (var r = first; r < last; r++)
                {
                    var g = dy.AsSpan(r * width, width);
                    var xh = xHat.AsSpan(0, width);
                    TensorPrimitives.Subtract(x.AsSpan(r * width, width), mean[r], xh);
                    TensorPrimitives.Multiply(xh, invstd[r], xh);
                    TensorPrimitives.MultiplyAdd(g, xh, dGamma, dGamma);
                    TensorPrimitives.Add(g, dBeta, dBeta);
                    if (dx is null)
                    {
                        continue;
                    }

                    var gg = scaled.AsSpan(0, width);
                    if (weight is null)
                    {
                        g.CopyTo(gg);
                    }
                    else
                    {
                        TensorPrimitives.Multiply(g, weight, gg);
                    }

                    var a = TensorPrimitives.Sum(gg) / width;
                    var b = TensorPrimitives.Dot(gg, xh) / width;
                    var target = dx.AsSpan(r * width, width);
                    TensorPrimitives.MultiplyAdd(xh, -b, gg, target);
                    TensorPrimitives.Add(target, -a, target);
                    TensorPrimitives.Multiply(target, invstd[r], target);
                }
            }

            ArrayPool<float>.Shared.Return(scaled);
            ArrayPool<float>.Shared.Return(xHat);
        });

        for (var part = 0; part < parts; part++)
        {
            if (!dWeight.IsEmpty)
            {
                TensorPrimitives.Add(dWeight, partials.AsSpan(part * 2 * width, width), dWeight);
            }

            if (!dBias.IsEmpty)
            {
                TensorPrimitives.Add(dBias, partials.AsSpan((part * 2 * width) + width, width), dBias);
            }
        }

        BufferPool<float>.Return(partials);
    }

    private static int MinimumRows(int width) => Math.Max(1, ElementsPerShare / Math.Max(1, width));
}
