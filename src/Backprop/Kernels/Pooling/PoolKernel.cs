using System.Numerics.Tensors;

namespace Backprop.Kernels.Pooling;

/// <summary>
/// Max and average pooling over the planes of NCHW data, a share of the planes per thread. Max pooling
/// records the flat index (within the plane) of each maximum, as PyTorch's return_indices, and lets NaN
/// win; its backward adds each output's gradient at that index.
/// </summary>
internal static class PoolKernel
{
    /// <summary>y[p, oy, ox] = the maximum over the window, and its flat index in plane p.</summary>
    public static void Max(float[] x, PoolAxis rows, PoolAxis cols, int planes, float[] y, long[] indices) =>
        WorkSplitter.For(planes, Math.Max(1, (1 << 16) / Math.Max(1, rows.Input * cols.Input)), (x, rows, cols, y, indices), static (s, begin, count) =>
        {
            var (x, rows, cols, y, indices) = s;
            int inPlane = rows.Input * cols.Input, outPlane = rows.Output * cols.Output;
            for (var p = begin; p < begin + count; p++)
            {
                var plane = x.AsSpan(p * inPlane, inPlane);
                var o = p * outPlane;
                if (rows.IsPairs && cols.IsPairs)
                {
                    MaxOfPairs(plane, cols.Input, rows.Output, cols.Output, y.AsSpan(o, outPlane), indices.AsSpan(o, outPlane));
                    continue;
                }

                for (var oy = 0; oy < rows.Output; oy++)
                {
                    for (var ox = 0; ox < cols.Output; ox++, o++)
                    {
                        var best = float.NegativeInfinity;
                        var at = -1;
                        for (int a = 0, r = rows.First[oy]; a < rows.Count[oy]; a++, r += rows.Dilation)
                        {
                            for (int b = 0, c = cols.First[ox]; b < cols.Count[ox]; b++, c += cols.Dilation)
                            {
                                var v = plane[(r * cols.Input) + c];
                                if (v > best || at < 0 || float.IsNaN(v))
                                {
                                    best = v;
                                    at = (r * cols.Input) + c;
                                    if (float.IsNaN(v))
                                    {
                                        goto found;
                                    }
                                }
                            }
                        }

                    found:
                        y[o] = best;
                        indices[o] = at;
                    }
                }
            }
        });

    /// <summary>
    /// The 2×2, stride-2 windows of one plane (the common case), without branches on the data: the winner of
    /// each row pair, then of the two rows, a later element winning only when strictly greater (the general
    /// walk's order). A window holding NaN takes the general rule, first NaN winning.
    /// </summary>
    private static void MaxOfPairs(ReadOnlySpan<float> plane, int width, int outH, int outW, Span<float> y, Span<long> indices)
    {
        var o = 0;
        for (var oy = 0; oy < outH; oy++)
        {
            var top = plane.Slice(2 * oy * width, 2 * width);
            var bottom = top[width..];
            var first = 2 * oy * width;
            for (var ox = 0; ox < outW; ox++, o++)
            {
                var j = 2 * ox;
                float a = top[j], b = top[j + 1], c = bottom[j], d = bottom[j + 1];
                if (float.IsNaN(a + b + c + d))
                {
                    var (value, nan) = FirstNaN(a, b, c, d);
                    y[o] = value;
                    indices[o] = first + j + (nan < 2 ? nan : width + nan - 2);
                    continue;
                }

                // Comparisons as 0/1 and the winner read back by index: random data makes branches mispredict (4x slower).
                var u = Greater(b, a);
                var l = Greater(d, c);
                var lower = bottom[j + l];
                var t = Greater(lower, top[j + u]);
                var at = j + u + (t * (width + l - u));
                y[o] = top[at];
                indices[o] = first + at;
            }
        }
    }

    /// <summary>1 when x &gt; y, else 0, without a branch.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Greater(float x, float y)
    {
        var greater = x > y;
        return System.Runtime.CompilerServices.Unsafe.As<bool, byte>(ref greater);
    }

    /// <summary>The first NaN among a, b, c, d (or an infinity that made the sum NaN: then the largest, first winning), and its position 0-3.</summary>
    private static (float Value, int At) FirstNaN(float a, float b, float c, float d)
    {
        ReadOnlySpan<float> v = [a, b, c, d];
        var at = 0;
        for (var i = 0; i < 4; i++)
        {
            if (float.IsNaN(v[i]))
            {
                return (v[i], i);
            }

            at = v[i] > v[at] ? i : at;
        }

        return (v[at], at);
    }

    /// <summary>dx[p, indices[p, o]] += dy[p, o] (dx holds zeros or an earlier gradient).</summary>
    public static void MaxBackward(float[] dy, long[] indices, int inPlane, int outPlane, int planes, float[] dx) =>
        WorkSplitter.For(planes, Math.Max(1, (1 << 16) / Math.Max(1, inPlane)), (dy, indices, inPlane, outPlane, dx), static (s, begin, count) =>
        {
            var (dy, indices, inPlane, outPlane, dx) = s;
            for (var p = begin; p < begin + count; p++)
            {
                for (var o = p * outPlane; o < (p + 1) * outPlane; o++)
                {
                    dx[(p * inPlane) + (int)indices[o]] += dy[o];
                }
            }
        });

    /// <summary>y[p, oy, ox] = the window's sum over its divisor (the axes' divisors multiplied, or <paramref name="divisorOverride"/>).</summary>
    public static void Average(float[] x, PoolAxis rows, PoolAxis cols, int planes, int divisorOverride, float[] y) =>
        AverageWindows(x, y, rows, cols, planes, divisorOverride, backward: false);

    /// <summary>Spreads each dy[p, o] over its window, divided as the forward divided (dx holds zeros or an earlier gradient).</summary>
    public static void AverageBackward(float[] dy, PoolAxis rows, PoolAxis cols, int planes, int divisorOverride, float[] dx) =>
        AverageWindows(dx, dy, rows, cols, planes, divisorOverride, backward: true);

    /// <summary>
    /// Walks every window of every plane of <paramref name="input"/> (the forward's input, the backward's
    /// input gradient): forward, writes each window's average to <paramref name="output"/>; backward, adds
    /// each output gradient's share to its window.
    /// </summary>
    private static void AverageWindows(float[] input, float[] output, PoolAxis rows, PoolAxis cols, int planes, int divisorOverride, bool backward) =>
        WorkSplitter.For(planes, Math.Max(1, (1 << 16) / Math.Max(1, rows.Input * cols.Input)), (input, output, rows, cols, divisorOverride, backward), static (s, begin, count) =>
        {
            var (input, output, rows, cols, divisorOverride, backward) = s;
            int inPlane = rows.Input * cols.Input, outPlane = rows.Output * cols.Output;
            for (var p = begin; p < begin + count; p++)
            {
                var plane = input.AsSpan(p * inPlane, inPlane);
                var o = p * outPlane;
                for (var oy = 0; oy < rows.Output; oy++)
                {
                    for (var ox = 0; ox < cols.Output; ox++, o++)
                    {
                        var divisor = divisorOverride > 0 ? divisorOverride : rows.Divisor[oy] * cols.Divisor[ox];
                        var share = backward ? output[o] / divisor : 0f;
                        var sum = 0f;
                        for (int a = 0, r = rows.First[oy]; a < rows.Count[oy]; a++, r++)
                        {
                            var line = plane.Slice((r * cols.Input) + cols.First[ox], cols.Count[ox]);
                            if (backward)
                            {
                                TensorPrimitives.Add(line, share, line);
                            }
                            else
                            {
                                sum += TensorPrimitives.Sum(line);
                            }
                        }

                        if (!backward)
                        {
                            output[o] = sum / divisor;
                        }
                    }
                }
            }
        });
}
