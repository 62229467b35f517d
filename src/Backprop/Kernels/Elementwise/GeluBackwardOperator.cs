using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>The backward of the exact GELU: d = g·(Φ(x) + x·φ(x)), in float; Invoke(x, g).</summary>
internal readonly struct GeluBackwardOperator : IBinaryOperator
{
    private const float InvSqrt2Pi = 0.39894228040143268f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float g) => g * ((0.5f * (1f + Erf.Evaluate(x * GeluOperator.InvSqrt2))) + (x * InvSqrt2Pi * MathF.Exp(-0.5f * x * x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) =>
        g * ((0.5f * (Vector128<float>.One + Erf.Evaluate(x * GeluOperator.InvSqrt2))) + (x * InvSqrt2Pi * Vector128.Exp(-0.5f * x * x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
        g * ((0.5f * (Vector256<float>.One + Erf.Evaluate(x * GeluOperator.InvSqrt2))) + (x * InvSqrt2Pi * Vector256.Exp(-0.5f * x * x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
        g * ((0.5f * (Vector512<float>.One + Erf.Evaluate(x * GeluOperator.InvSqrt2))) + (x * InvSqrt2Pi * Vector512.Exp(-0.5f * x * x)));
}
