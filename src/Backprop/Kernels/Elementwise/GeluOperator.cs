using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>The exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), with <see cref="Erf"/> in float.</summary>
internal readonly struct GeluOperator : IUnaryOperator
{
    /// <summary>1/√2.</summary>
    public const float InvSqrt2 = 0.70710678118654752f;

    /// <summary>1/√2 in double.</summary>
    public const double InvSqrt2Double = 0.70710678118654752;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 0.5f * x * (1f + Erf.Evaluate(x * InvSqrt2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => 0.5f * x * (Vector128<float>.One + Erf.Evaluate(x * InvSqrt2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => 0.5f * x * (Vector256<float>.One + Erf.Evaluate(x * InvSqrt2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => 0.5f * x * (Vector512<float>.One + Erf.Evaluate(x * InvSqrt2));
}
