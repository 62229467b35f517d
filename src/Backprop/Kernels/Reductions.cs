using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>Reductions along one dimension of a tensor viewed as [outer, size, inner].</summary>
internal static class Reductions
{
    /// <summary>dst[o, i] = Σ_j src[o, j, i].</summary>
    public static void Sum<T>(ReadOnlySpan<T> src, int outer, int size, int inner, Span<T> dst)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (var o = 0; o < outer; o++)
            {
                dst[o] = TensorPrimitives.Sum(src.Slice(o * size, size));
            }

            return;
        }

        dst.Clear();
        for (var o = 0; o < outer; o++)
        {
            var row = dst.Slice(o * inner, inner);
            for (var j = 0; j < size; j++)
            {
                TensorPrimitives.Add(row, src.Slice(((o * size) + j) * inner, inner), row);
            }
        }
    }

    /// <summary>dst[o, j, i] += src[o, i]: the backward of <see cref="Sum"/>, scaled by <paramref name="scale"/>.</summary>
    public static void Expand(ReadOnlySpan<float> src, int outer, int size, int inner, float scale, Span<float> dst)
    {
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < size; j++)
            {
                var target = dst.Slice(((o * size) + j) * inner, inner);
                if (inner == 1)
                {
                    target[0] += scale * src[o];
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(src.Slice(o * inner, inner), scale, target, target);
                }
            }
        }
    }

    /// <summary>
    /// The largest (or, with <paramref name="min"/>, smallest) element along the dimension and the index
    /// of its first occurrence. NaN wins, as in PyTorch.
    /// </summary>
    public static void ArgExtreme<T>(ReadOnlySpan<T> src, int outer, int size, int inner, bool min, Span<T> values, Span<int> indices)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var baseOffset = (o * size * inner) + i;
                var best = src[baseOffset];
                var bestIndex = 0;
                for (var j = 1; j < size && !T.IsNaN(best); j++)
                {
                    var v = src[baseOffset + (j * inner)];
                    if (T.IsNaN(v) || (min ? v < best : v > best))
                    {
                        best = v;
                        bestIndex = j;
                    }
                }

                values[(o * inner) + i] = best;
                indices[(o * inner) + i] = bestIndex;
            }
        }
    }
}
