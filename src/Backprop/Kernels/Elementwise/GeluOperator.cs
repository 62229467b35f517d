using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>The exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), evaluated in double.</summary>
internal readonly struct GeluOperator : IUnaryOperator
{
    /// <summary>1/√2.</summary>
    public const double InvSqrt2 = 0.70710678118654752;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => (float)Gelu(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x)
    {
        var (lo, hi) = Vector128.Widen(x);
        return Vector128.Narrow(0.5 * lo * (Vector128<double>.One + Erf.Evaluate(lo * InvSqrt2)), 0.5 * hi * (Vector128<double>.One + Erf.Evaluate(hi * InvSqrt2)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        return Vector256.Narrow(0.5 * lo * (Vector256<double>.One + Erf.Evaluate(lo * InvSqrt2)), 0.5 * hi * (Vector256<double>.One + Erf.Evaluate(hi * InvSqrt2)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        var (lo, hi) = Vector512.Widen(x);
        return Vector512.Narrow(0.5 * lo * (Vector512<double>.One + Erf.Evaluate(lo * InvSqrt2)), 0.5 * hi * (Vector512<double>.One + Erf.Evaluate(hi * InvSqrt2)));
    }

    private static double Gelu(double x) => 0.5 * x * (1.0 + Erf.Evaluate(x * InvSqrt2));
}
