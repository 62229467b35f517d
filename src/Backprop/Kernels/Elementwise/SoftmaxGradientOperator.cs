using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// One row of the fused cross-entropy backward, before the target class's own term: d = grad + g·(e^logProb − smooth),
/// the softmax minus the smoothed part of the target distribution, scaled by the sample's incoming gradient g; Invoke(logProb, grad).
/// </summary>
/// <param name="g">dL/dloss of the sample.</param>
/// <param name="smooth">ε/C, the share of label smoothing every class receives.</param>
internal readonly struct SoftmaxGradientOperator(float g, float smooth) : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float logProb, float grad) => grad + (g * (MathF.Exp(logProb) - smooth));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> logProb, Vector128<float> grad) => grad + (g * (Vector128.Exp(logProb) - Vector128.Create(smooth)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> logProb, Vector256<float> grad) => grad + (g * (Vector256.Exp(logProb) - Vector256.Create(smooth)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> logProb, Vector512<float> grad) => grad + (g * (Vector512.Exp(logProb) - Vector512.Create(smooth)));
}
