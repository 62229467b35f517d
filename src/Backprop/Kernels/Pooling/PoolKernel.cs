using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

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
    /// walk's order). Eight windows at a time with AVX2, four with SSE or AdvSimd, the rest one by one. A window
    /// holding NaN takes the general rule, first NaN winning.
    /// </summary>
    private static void MaxOfPairs(ReadOnlySpan<float> plane, int width, int outH, int outW, Span<float> y, Span<long> indices)
    {
        for (var oy = 0; oy < outH; oy++)
        {
            // The row pair's two input rows, where they start in the plane, and its output row.
            var first = 2 * oy * width;
            var pair = plane.Slice(first, 2 * width);
            var rowY = y.Slice(oy * outW, outW);
            var rowIndices = indices.Slice(oy * outW, outW);
            var ox = 0;
            if (Avx2.IsSupported)
            {
                for (; ox + 8 <= outW; ox += 8)
                {
                    var (a, b) = Permute.Deinterleave256(pair[(2 * ox)..]);
                    var (c, d) = Permute.Deinterleave256(pair[(width + (2 * ox))..]);
                    PickWinners(a, b, c, d, pair, first, width, ox, rowY, rowIndices);
                }
            }

            if (Sse.IsSupported || AdvSimd.Arm64.IsSupported)
            {
                for (; ox + 4 <= outW; ox += 4)
                {
                    var (a, b) = Permute.Deinterleave128(pair[(2 * ox)..]);
                    var (c, d) = Permute.Deinterleave128(pair[(width + (2 * ox))..]);
                    PickWinners(a, b, c, d, pair, first, width, ox, rowY, rowIndices);
                }
            }

            PickEach(pair, first, width, ox, outW, rowY, rowIndices);
        }
    }

    /// <summary>Windows ox.. of the row pair <paramref name="pair"/> (starting at <paramref name="first"/> in its plane) from their corners, a b over c d.</summary>
    private static void PickWinners(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, ReadOnlySpan<float> pair, int first, int width, int ox, Span<float> y, Span<long> indices)
    {
        var u = Vector256.GreaterThan(b, a);
        var l = Vector256.GreaterThan(d, c);
        var upper = Vector256.ConditionalSelect(u, b, a);
        var lower = Vector256.ConditionalSelect(l, d, c);
        var t = Vector256.GreaterThan(lower, upper);
        Vector256.ConditionalSelect(t, lower, upper).CopyTo(y[ox..]);

        // The left column's index, plus one where the right won (the masks are −1); the bottom row's is a width on.
        var left = Vector256.Create(first + (2 * ox)) + (Vector256<int>.Indices * 2);
        var at = Vector256.ConditionalSelect(t.AsInt32(), left + Vector256.Create(width) - l.AsInt32(), left - u.AsInt32());
        var (lo, hi) = Vector256.Widen(at);
        lo.CopyTo(indices[ox..]);
        hi.CopyTo(indices[(ox + Vector256<long>.Count)..]);
        var sum = a + b + c + d;
        RedoNaN(Vector256.Equals(sum, sum).ExtractMostSignificantBits(), Vector256<float>.Count, pair, first, width, ox, y, indices);
    }

    /// <summary>The same, four windows at a time.</summary>
    private static void PickWinners(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d, ReadOnlySpan<float> pair, int first, int width, int ox, Span<float> y, Span<long> indices)
    {
        var u = Vector128.GreaterThan(b, a);
        var l = Vector128.GreaterThan(d, c);
        var upper = Vector128.ConditionalSelect(u, b, a);
        var lower = Vector128.ConditionalSelect(l, d, c);
        var t = Vector128.GreaterThan(lower, upper);
        Vector128.ConditionalSelect(t, lower, upper).CopyTo(y[ox..]);
        var left = Vector128.Create(first + (2 * ox)) + (Vector128<int>.Indices * 2);
        var at = Vector128.ConditionalSelect(t.AsInt32(), left + Vector128.Create(width) - l.AsInt32(), left - u.AsInt32());
        var (lo, hi) = Vector128.Widen(at);
        lo.CopyTo(indices[ox..]);
        hi.CopyTo(indices[(ox + Vector128<long>.Count)..]);
        var sum = a + b + c + d;
        RedoNaN(Vector128.Equals(sum, sum).ExtractMostSignificantBits(), Vector128<float>.Count, pair, first, width, ox, y, indices);
    }

    /// <summary>Redoes alone each of <paramref name="count"/> windows whose sum is not a number (its <paramref name="finite"/> bit clear), so that NaN wins as in the general walk.</summary>
    private static void RedoNaN(uint finite, int count, ReadOnlySpan<float> pair, int first, int width, int ox, Span<float> y, Span<long> indices)
    {
        if (finite == (1u << count) - 1)
        {
            return;
        }

        for (var k = 0; k < count; k++)
        {
            if (((finite >> k) & 1) == 0)
            {
                PickEach(pair, first, width, ox + k, ox + k + 1, y, indices);
            }
        }
    }

    /// <summary>Windows <paramref name="from"/>..<paramref name="to"/>−1 of the row pair <paramref name="pair"/>, one by one.</summary>
    private static void PickEach(ReadOnlySpan<float> pair, int first, int width, int from, int to, Span<float> y, Span<long> indices)
    {
        var top = pair[..width];
        var bottom = pair[width..];
        for (var ox = from; ox < to; ox++)
        {
            var j = 2 * ox;
            float a = top[j], b = top[j + 1], c = bottom[j], d = bottom[j + 1];
            if (float.IsNaN(a + b + c + d))
            {
                var (value, nan) = FirstNaN(a, b, c, d);
                y[ox] = value;
                indices[ox] = first + j + (nan < 2 ? nan : width + nan - 2);
                continue;
            }

            // Comparisons as 0/1 and the winner read back by index: random data makes branches mispredict (4x slower).
            var u = Greater(b, a);
            var l = Greater(d, c);
            var t = Greater(bottom[j + l], top[j + u]);
            var at = j + u + (t * (width + l - u));
            y[ox] = pair[at];
            indices[ox] = first + at;
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

    /// <summary>dx = zeros, then dx[p, indices[p, o]] += dy[p, o]: each thread clears the planes it scatters into.</summary>
    public static void MaxBackward(float[] dy, long[] indices, int inPlane, int outPlane, int planes, float[] dx) =>
        WorkSplitter.For(planes, Math.Max(1, (1 << 16) / Math.Max(1, inPlane)), (dy, indices, inPlane, outPlane, dx), static (s, begin, count) =>
        {
            var (dy, indices, inPlane, outPlane, dx) = s;
            dx.AsSpan(begin * inPlane, count * inPlane).Clear();
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
