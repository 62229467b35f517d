namespace Backprop.Kernels;

/// <summary>
/// Separable resampling of NCHW planes (nearest and bilinear upsampling): per output row and column, the two
/// source positions and the weight of the second, computed once; the backward spreads each output's gradient
/// over the same four inputs.
/// </summary>
internal static class Resample
{
    /// <summary>For each of <paramref name="output"/> positions: source i0, i1 and the weight of i1 (in double, as PyTorch's interpolate computes them; float32 rounds it).</summary>
    public static (int[] I0, int[] I1, double[] Lambda) Axis(int input, int output, double scale, bool bilinear, bool alignCorners)
    {
        var i0 = new int[output];
        var i1 = new int[output];
        var lambda = new double[output];
        for (var o = 0; o < output; o++)
        {
            if (!bilinear)
            {
                i0[o] = i1[o] = Math.Min((int)Math.Floor(o * scale), input - 1);
                continue;
            }

            var src = alignCorners ? o * scale : Math.Max(0, ((o + 0.5) * scale) - 0.5);
            var low = Math.Min((int)Math.Floor(src), input - 1);
            i0[o] = low;
            i1[o] = Math.Min(low + 1, input - 1);
            lambda[o] = src - low;
        }

        return (i0, i1, lambda);
    }

    /// <summary>y[p, oy, ox] = the bilinear mix of x[p] at the rows and columns of the two axes.</summary>
    public static void Forward(float[] x, float[] y, int planes, int inH, int inW, (int[] I0, int[] I1, double[] Lambda) rows, (int[] I0, int[] I1, double[] Lambda) cols)
    {
        int outH = rows.I0.Length, outW = cols.I0.Length;
        for (var p = 0; p < planes; p++)
        {
            var plane = x.AsSpan(p * inH * inW, inH * inW);
            var target = y.AsSpan(p * outH * outW, outH * outW);
            for (var oy = 0; oy < outH; oy++)
            {
                var (top, bottom, ly) = (rows.I0[oy] * inW, rows.I1[oy] * inW, (float)rows.Lambda[oy]);
                for (var ox = 0; ox < outW; ox++)
                {
                    var (left, right, lx) = (cols.I0[ox], cols.I1[ox], (float)cols.Lambda[ox]);
                    var upper = ((1 - lx) * plane[top + left]) + (lx * plane[top + right]);
                    var lower = ((1 - lx) * plane[bottom + left]) + (lx * plane[bottom + right]);
                    target[(oy * outW) + ox] = ((1 - ly) * upper) + (ly * lower);
                }
            }
        }
    }

    /// <summary>dx += the adjoint of <see cref="Forward"/> applied to dy.</summary>
    public static void Backward(float[] dy, float[] dx, int planes, int inH, int inW, (int[] I0, int[] I1, double[] Lambda) rows, (int[] I0, int[] I1, double[] Lambda) cols)
    {
        int outH = rows.I0.Length, outW = cols.I0.Length;
        for (var p = 0; p < planes; p++)
        {
            var plane = dx.AsSpan(p * inH * inW, inH * inW);
            var source = dy.AsSpan(p * outH * outW, outH * outW);
            for (var oy = 0; oy < outH; oy++)
            {
                var (top, bottom, ly) = (rows.I0[oy] * inW, rows.I1[oy] * inW, (float)rows.Lambda[oy]);
                for (var ox = 0; ox < outW; ox++)
                {
                    var (left, right, lx) = (cols.I0[ox], cols.I1[ox], (float)cols.Lambda[ox]);
                    var g = source[(oy * outW) + ox];
                    plane[top + left] += (1 - ly) * (1 - lx) * g;
                    plane[top + right] += (1 - ly) * lx * g;
                    plane[bottom + left] += ly * (1 - lx) * g;
                    plane[bottom + right] += ly * lx * g;
                }
            }
        }
    }
}
