using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>
/// The float64 matrix product, for precision rather than speed (gradient checks, float64 models): each row of C
/// accumulates rows of B scaled by A's elements, one vectorised multiply-add per element of A.
/// </summary>
internal static class GemmFloat64
{
    /// <summary>C = A·B, with A [m, k], B [k, n] and C [m, n], row-major.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int n, int k)
    {
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * n, n);
            row.Clear();
            for (var p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[(i * k) + p], row, row);
            }
        }
    }
}
