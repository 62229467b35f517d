using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>σ(x) − t, the gradient of binary cross-entropy with logits for its logit; Invoke(x, t).</summary>
internal readonly struct SigmoidMinusOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float t) => (1f / (1f + MathF.Exp(-x))) - t;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> t) => (Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-x))) - t;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t) => (Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x))) - t;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t) => (Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x))) - t;
}
