using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>Activation functions and their derivatives over spans.</summary>
internal static class Activations
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;

    /// <summary>d = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Max(x, 0f, d);

    /// <summary>d = g where x &gt; 0, else 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var vx = Vector512.Create(x.Slice(i, Vector512<float>.Count));
                var vg = Vector512.Create(g.Slice(i, Vector512<float>.Count));
                Vector512.ConditionalSelect(Vector512.GreaterThan(vx, Vector512<float>.Zero), vg, Vector512<float>.Zero).CopyTo(d.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var vx = Vector256.Create(x.Slice(i, Vector256<float>.Count));
                var vg = Vector256.Create(g.Slice(i, Vector256<float>.Count));
                Vector256.ConditionalSelect(Vector256.GreaterThan(vx, Vector256<float>.Zero), vg, Vector256<float>.Zero).CopyTo(d.Slice(i));
            }
        }

        for (; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? g[i] : 0f;
        }
    }

    /// <summary>d = x for x &gt; 0, slope·x otherwise.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, float slope, Span<float> d)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            d[i] = v > 0 ? v : slope * v;
        }
    }

    /// <summary>d = g for x &gt; 0, slope·g otherwise.</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float slope, Span<float> d)
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? g[i] : slope * g[i];
        }
    }

    /// <summary>The exact GELU, x·Φ(x), with Φ the standard normal CDF.</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> d)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            d[i] = 0.5f * v * (1f + Erf(v * InvSqrt2));
        }
    }

    /// <summary>d = g·(Φ(x) + x·φ(x)), the derivative of the exact GELU.</summary>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            var cdf = 0.5f * (1f + Erf(v * InvSqrt2));
            var pdf = InvSqrt2Pi * MathF.Exp(-0.5f * v * v);
            d[i] = g[i] * (cdf + (v * pdf));
        }
    }

    /// <summary>The error function, to float precision (a Chebyshev fit of erfc with relative error below 1.2e-7, evaluated in double).</summary>
    public static float Erf(float x)
    {
        double z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        var poly = 0.17087277;
        poly = (poly * t) - 0.82215223;
        poly = (poly * t) + 1.48851587;
        poly = (poly * t) - 1.13520398;
        poly = (poly * t) + 0.27886807;
        poly = (poly * t) - 0.18628806;
        poly = (poly * t) + 0.09678418;
        poly = (poly * t) + 0.37409196;
        poly = (poly * t) + 1.00002368;
        poly = (poly * t) - 1.26551223;
        var r = t * Math.Exp(-(z * z) + poly);
        return (float)(x >= 0 ? 1.0 - r : r - 1.0);
    }
}
