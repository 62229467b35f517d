using System.Numerics.Tensors;

namespace Backprop.Kernels.Normalization;

/// <summary>
/// Batch, group and layer normalization over a <see cref="NormLayout"/>: y = (x − mean)·invstd·γ + β per
/// statistic group, and the backward of it. The groups are shared among threads; sums are taken in
/// double. With given statistics (batch norm in evaluation) the backward is the affine map's alone.
/// </summary>
internal static class NormKernel
{
    /// <summary>Each group's mean and biased variance.</summary>
    public static void Statistics(NormLayout layout, float[] x, double[] mean, double[] variance) =>
        WorkSplitter.For(layout.Groups, MinimumGroups(layout), (layout, x, mean, variance), static (s, begin, count) =>
        {
            var (layout, x, mean, variance) = s;
            for (var gi = begin; gi < begin + count; gi++)
            {
                double sum = 0;
                for (var k = 0; k < layout.Count; k++)
                {
                    var start = layout.PlaneStart(gi, k);
                    for (var i = start; i < start + layout.Plane; i++)
                    {
                        sum += x[i];
                    }
                }

                var m = sum / layout.GroupSize;
                double squares = 0;
                for (var k = 0; k < layout.Count; k++)
                {
                    var start = layout.PlaneStart(gi, k);
                    for (var i = start; i < start + layout.Plane; i++)
                    {
                        var d = x[i] - m;
                        squares += d * d;
                    }
                }

                mean[gi] = m;
                variance[gi] = squares / layout.GroupSize;
            }
        });

    /// <summary>y = (x − mean[g])·invstd[g]·γ[c] + β[c] (γ = 1 and β = 0 when absent).</summary>
    public static void Apply(NormLayout layout, float[] x, double[] mean, double[] invstd, float[]? weight, float[]? bias, float[] y) =>
        WorkSplitter.For(layout.Groups, MinimumGroups(layout), (layout, x, mean, invstd, weight, bias, y), static (s, begin, count) =>
        {
            var (layout, x, mean, invstd, weight, bias, y) = s;
            for (var gi = begin; gi < begin + count; gi++)
            {
                for (var k = 0; k < layout.Count; k++)
                {
                    var c = layout.Channel(gi, k);
                    var scale = (float)invstd[gi] * (weight?[c] ?? 1f);
                    var shift = (bias?[c] ?? 0f) - ((float)mean[gi] * scale);
                    var start = layout.PlaneStart(gi, k);
                    if (layout.Plane >= 16)
                    {
                        var target = y.AsSpan(start, layout.Plane);
                        TensorPrimitives.Multiply(x.AsSpan(start, layout.Plane), scale, target);
                        TensorPrimitives.Add(target, shift, target);
                        continue;
                    }

                    for (var i = start; i < start + layout.Plane; i++)
                    {
                        y[i] = (x[i] * scale) + shift;
                    }
                }
            }
        });

    /// <summary>
    /// The gradients of <see cref="Apply"/>: dx (when asked), and per plane Σ dy·x̂ and Σ dy (the weight's
    /// and the bias's shares, added up per channel by <see cref="SumPerChannel"/>). With
    /// <paramref name="batchStatistics"/> the mean and variance depend on x and their terms are included.
    /// </summary>
    public static void Backward(NormLayout layout, float[] x, float[] dy, double[] mean, double[] invstd, float[]? weight, bool batchStatistics, float[]? dx, double[] planeDotXHat, double[] planeSum) =>
        WorkSplitter.For(layout.Groups, MinimumGroups(layout), (layout, x, dy, mean, invstd, weight, batchStatistics, dx, planeDotXHat, planeSum), static (s, begin, count) =>
        {
            var (layout, x, dy, mean, invstd, weight, batchStatistics, dx, planeDotXHat, planeSum) = s;
            for (var gi = begin; gi < begin + count; gi++)
            {
                double m = mean[gi], r = invstd[gi], sumG = 0, dotG = 0;
                for (var k = 0; k < layout.Count; k++)
                {
                    var start = layout.PlaneStart(gi, k);
                    var gamma = weight?[layout.Channel(gi, k)] ?? 1f;
                    double dot = 0, sum = 0;
                    for (var i = start; i < start + layout.Plane; i++)
                    {
                        sum += dy[i];
                        dot += dy[i] * (x[i] - m) * r;
                    }

                    planeSum[start / layout.Plane] = sum;
                    planeDotXHat[start / layout.Plane] = dot;
                    sumG += sum * gamma;
                    dotG += dot * gamma;
                }

                if (dx is null)
                {
                    continue;
                }

                var meanG = batchStatistics ? sumG / layout.GroupSize : 0;
                var meanDot = batchStatistics ? dotG / layout.GroupSize : 0;
                for (var k = 0; k < layout.Count; k++)
                {
                    var start = layout.PlaneStart(gi, k);
                    var gamma = weight?[layout.Channel(gi, k)] ?? 1f;
                    for (var i = start; i < start + layout.Plane; i++)
                    {
                        var xHat = (x[i] - m) * r;
                        dx[i] += (float)(r * ((dy[i] * gamma) - meanG - (xHat * meanDot)));
                    }
                }
            }
        });

    /// <summary>target[c] += Σ of the per-plane values of channel c, in plane order.</summary>
    public static void SumPerChannel(double[] perPlane, int channels, Span<float> target)
    {
        Span<double> sums = channels <= 512 ? stackalloc double[channels] : new double[channels];
        sums.Clear();
        for (var p = 0; p < perPlane.Length; p++)
        {
            sums[p % channels] += perPlane[p];
        }

        for (var c = 0; c < channels; c++)
        {
            target[c] += (float)sums[c];
        }
    }

    private static int MinimumGroups(in NormLayout layout) => Math.Max(1, (1 << 15) / Math.Max(1, layout.GroupSize));
}
