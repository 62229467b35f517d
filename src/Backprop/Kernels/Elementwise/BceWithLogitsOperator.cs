using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>Binary cross-entropy of a logit x against a target t, computed stably: max(x, 0) − x·t + log(1 + e^−|x|); Invoke(x, t).</summary>
internal readonly struct BceWithLogitsOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float t) => MathF.Max(x, 0f) - (x * t) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> t) =>
        Vector128.Max(x, Vector128<float>.Zero) - (x * t) + Vector128.Log(Vector128<float>.One + Vector128.Exp(-Vector128.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t) =>
        Vector256.Max(x, Vector256<float>.Zero) - (x * t) + Vector256.Log(Vector256<float>.One + Vector256.Exp(-Vector256.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t) =>
        Vector512.Max(x, Vector512<float>.Zero) - (x * t) + Vector512.Log(Vector512<float>.One + Vector512.Exp(-Vector512.Abs(x)));
}
