using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>The backward of the exact GELU: d = g·(Φ(x) + x·φ(x)), evaluated in double; Invoke(x, g).</summary>
internal readonly struct GeluBackwardOperator : IBinaryOperator
{
    private const double InvSqrt2Pi = 0.39894228040143268;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float g) => (float)(g * Slope(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> g)
    {
        var (xl, xh) = Vector128.Widen(x);
        var (gl, gh) = Vector128.Widen(g);
        return Vector128.Narrow(gl * Slope(xl), gh * Slope(xh));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g)
    {
        var (xl, xh) = Vector256.Widen(x);
        var (gl, gh) = Vector256.Widen(g);
        return Vector256.Narrow(gl * Slope(xl), gh * Slope(xh));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g)
    {
        var (xl, xh) = Vector512.Widen(x);
        var (gl, gh) = Vector512.Widen(g);
        return Vector512.Narrow(gl * Slope(xl), gh * Slope(xh));
    }

    private static double Slope(double v) => (0.5 * (1.0 + Erf.Evaluate(v * GeluOperator.InvSqrt2))) + (v * InvSqrt2Pi * Math.Exp(-0.5 * v * v));

    private static Vector128<double> Slope(Vector128<double> v) =>
        (0.5 * (Vector128<double>.One + Erf.Evaluate(v * GeluOperator.InvSqrt2))) + (v * InvSqrt2Pi * Vector128.Exp(-0.5 * v * v));

    private static Vector256<double> Slope(Vector256<double> v) =>
        (0.5 * (Vector256<double>.One + Erf.Evaluate(v * GeluOperator.InvSqrt2))) + (v * InvSqrt2Pi * Vector256.Exp(-0.5 * v * v));

    private static Vector512<double> Slope(Vector512<double> v) =>
        (0.5 * (Vector512<double>.One + Erf.Evaluate(v * GeluOperator.InvSqrt2))) + (v * InvSqrt2Pi * Vector512.Exp(-0.5 * v * v));
}
